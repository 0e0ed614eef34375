package dev.starling.worker.session;

import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.TaskResult;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.support.Loop;
import dev.starling.worker.tasks.PendingResults;
import dev.starling.worker.tasks.Stats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report loop: as soon as results are waiting, sends them in one batch (the oldest, up to a count and
 * a byte budget). Each acknowledgement settles its result, whatever its status says; a result without one,
 * or a failed call, keeps the results pending and they are sent again after a backoff. Nothing pending is
 * ever dropped without an acknowledgement. Outside the network hours results wait, unless the worker is
 * stopping.
 */
public final class Reporter extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Reporter.class);

    private final CoordinatorClient client;
    private final Session session;
    private final PendingResults pending;
    private final Backoff backoff;
    private final int batchSize;
    private final int batchBytes;
    private final CallFailures failures;
    private final NetworkHours network;
    private final Stats stats;
    private final Semaphore hurry = new Semaphore(0);
    private volatile boolean hurried;

    public Reporter(CoordinatorClient client, Session session, PendingResults pending, Lifecycle lifecycle, Backoff backoff,
            int batchSize, int batchBytes, NetworkHours network, Stats stats) {
        super("report");
        this.stats = stats;
        this.network = network;
        this.client = client;
        this.session = session;
        this.pending = pending;
        this.backoff = backoff;
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        this.failures = new CallFailures("Reporting results", session, lifecycle, this::isStopping);
    }

    @Override
    public void run() {
        while (!isStopping()) {
            List<TaskResult> batch;
            try {
                batch = pending.awaitBatch(batchSize, batchBytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Duration closed = network.closedFor();
            if (!closed.isZero() && !hurried) {
                pauseOrLeave(closed); // a stopping worker reports what it holds even outside the network hours
                continue;
            }
            try {
                ReportResultsResponse response = client.report(session.identity(), batch);
                failures.succeeded();
                backoff.reset();
                settle(batch, response.getAcksList());
            } catch (RuntimeException e) {
                switch (failures.failed(e)) {
                    case STOP -> leave();
                    case BACK_OFF -> pauseOrLeave(backoff.next());
                    case RETRY -> backoff.reset();
                }
            }
        }
        log.debug("Report loop stopped");
    }

    /** Cuts the current backoff short and starts the next ones small again (the worker is stopping). */
    public void hurry() {
        hurried = true;
        hurry.release();
    }

    private void settle(List<TaskResult> batch, List<ReportAck> acks) {
        java.util.Set<Long> successes = new java.util.HashSet<>();
        batch.stream().filter(TaskResult::hasSuccess).forEach(r -> successes.add(r.getResultId()));
        for (ReportAck ack : acks) {
            if (ack.getStatus() == ReportAck.Status.ACCEPTED && successes.contains(ack.getResultId())) {
                stats.reported();
            }
            pending.settle(ack.getResultId());
            switch (ack.getStatus()) {
                case ACCEPTED -> log.debug("Task {} reported", ack.getResultId());
                case NOT_NEEDED -> log.debug("Task {} reported; no longer needed", ack.getResultId());
                default -> log.warn("The coordinator refused the result of task {} ({}): {}", ack.getResultId(),
                        ack.getStatus(), ack.getMessage());
            }
        }
        if (acks.size() < batch.size()) {
            log.debug("{} of {} results were not acknowledged; they will be sent again", batch.size() - acks.size(),
                    batch.size());
        }
    }

    private void pauseOrLeave(Duration pause) {
        try {
            if (hurry.tryAcquire(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                hurry.drainPermits();
                backoff.reset();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave();
        }
    }
}
