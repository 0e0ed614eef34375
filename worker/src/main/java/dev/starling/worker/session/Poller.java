package dev.starling.worker.session;

import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Task;
import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.support.Loop;
import dev.starling.worker.tasks.Slots;
import dev.starling.worker.tasks.TaskExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop: takes every free slot (waiting for one when none is free), asks the coordinator for that
 * many tasks in a long poll, starts what comes, and gives the unused slots back. An empty answer is
 * normal. While the coordinator cannot be reached, polls back off; outside the network hours none is made.
 */
public final class Poller extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);
    /** the most characters of a coordinator's reason kept (worker.proto says 500) */
    private static final int MAX_REASON = 500;

    private final CoordinatorClient client;
    private final Session session;
    private final Slots slots;
    private final TaskExecutor executor;
    private final Backoff backoff;
    private final Duration minPollInterval;
    private final Clock clock;
    private final NetworkHours network;
    private final ComputeGate gate;
    private final Controls controls;
    private final Duration recheck;
    private final Duration refusedPause;
    private final CallFailures failures;
    private boolean askedBefore; // the first RequestWork was made (the benchmark times start-up by its log line)

    /**
     * @param gate while it suspends computing, no work is asked for: a task taken then would wait for a time
     *     nobody knows (the user to leave, the compute hours to begin) and could miss its deadline; while the
     *     volunteer paused the host on the web, the poll asks for no task and waits to hear "resume"
     * @param controls what the answers carry of the volunteer's decisions on the web
     * @param recheck how often a suspended worker looks whether it may ask again
     * @param refusedPause the pause after an answer whose every task was given back: asked again at once, the
     *     coordinator would send the same ones (a task that would miss its deadline here goes back to the pool)
     */
    public Poller(CoordinatorClient client, Session session, Slots slots, TaskExecutor executor, Lifecycle lifecycle,
            Backoff backoff, Duration minPollInterval, Clock clock, NetworkHours network, ComputeGate gate,
            Controls controls, Duration recheck, Duration refusedPause) {
        super("poll");
        this.controls = controls;
        this.refusedPause = refusedPause;
        this.network = network;
        this.gate = gate;
        this.recheck = recheck;
        this.client = client;
        this.session = session;
        this.slots = slots;
        this.executor = executor;
        this.backoff = backoff;
        this.minPollInterval = minPollInterval;
        this.clock = clock;
        this.failures = new CallFailures("Asking for work", session, lifecycle, this::isStopping);
    }

    @Override
    public void run() {
        while (!isStopping()) {
            Duration closed = network.closedFor();
            if (!closed.isZero()) {
                pauseOrStop(closed);
                continue;
            }
            if (gate.isPaused()) {
                pollOnce(0); // paused on the web: a long poll that takes no task, to hear "resume" at once
                continue;
            }
            if (gate.isSuspended()) {
                pauseOrStop(recheck);
                continue;
            }
            int free;
            try {
                free = slots.acquireFree();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int used = 0;
            try {
                used = pollOnce(free);
            } finally {
                slots.release(free - used);
            }
        }
        log.debug("Poll loop stopped");
    }

    /** One long poll for up to {@code free} tasks; returns how many slots the started tasks took. */
    private int pollOnce(int free) {
        if (!askedBefore && free > 0) {
            askedBefore = true;
            log.info("Ready: asking the coordinator for up to {} tasks", free);
        }
        Instant asked = clock.instant();
        RequestWorkResponse response;
        HostIdentity as = session.identity();
        try {
            response = client.requestWork(as, free, session.maxWaitMillis());
        } catch (RuntimeException e) {
            switch (failures.failed(e)) {
                case STOP -> leave();
                case BACK_OFF -> pauseOrStop(backoff.next());
                case RETRY -> backoff.reset();
            }
            return 0;
        }
        failures.succeeded();
        backoff.reset();
        if (response.getRotateToken()) {
            session.rotate(as);
        }
        controls.apply(response.hasControl(), response.getControl());
        executor.abandon(response.getAbandonResultIdsList());
        executor.dropBlobs(response.getDropBlobIdsList());
        session.contact().noWork(response.getTasksCount() > 0 || !response.hasNoWork() ? null
                : text(response.getNoWork()));
        int used = start(response.getTasksList(), free);
        if (used == 0 && response.getTasksCount() > 0) {
            log.debug("Gave back all {} tasks sent; asking again in {} s", response.getTasksCount(),
                    refusedPause.toSeconds());
            pauseOrStop(refusedPause);
        } else if (response.getTasksCount() == 0) {
            Duration took = Duration.between(asked, clock.instant());
            if (took.compareTo(minPollInterval) < 0) {
                pauseOrStop(minPollInterval.minus(took));
            }
        }
        return used;
    }

    /**
     * A coordinator's reason as the volunteer reads it: its words, then its code (a newer coordinator's code this
     * worker does not know is left out; its words say it). Both are cleaned of control characters and bounded.
     */
    static String text(NoWork noWork) {
        String message = noWork.getMessage().codePoints().limit(MAX_REASON)
                .map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        NoWork.Reason code = noWork.getReason();
        boolean known = code != NoWork.Reason.UNRECOGNIZED && code != NoWork.Reason.REASON_UNSPECIFIED;
        if (message.isEmpty()) {
            return known ? code.name() : "the coordinator does not say why";
        }
        return known ? message + " (" + code.name() + ")" : message;
    }

    private int start(List<Task> tasks, int free) {
        int used = 0;
        for (Task task : tasks) {
            if (used == free) {
                executor.giveBack(task, "the worker asked for " + free + " tasks and got " + tasks.size());
            } else if (executor.start(task)) {
                used++;
            }
        }
        return used;
    }

    private void pauseOrStop(Duration pause) {
        if (!pause(pause)) {
            leave();
        }
    }
}
