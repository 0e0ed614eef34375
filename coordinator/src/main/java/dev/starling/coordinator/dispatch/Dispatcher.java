package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.AuthenticatedHost;
import io.grpc.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Hands work to hosts (long poll when there is none) and keeps the leases of running tasks. */
@Service
class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final DispatchQueries queries;
    private final TransactionTemplate tx;
    private final WorkSignal signal;
    private final Clock clock;
    private final StarlingProperties.Dispatch settings;
    /** jobs known to be past QUEUED (a cache: forgetting one costs one statement) */
    private final Set<Long> runningJobs = ConcurrentHashMap.newKeySet();

    Dispatcher(DispatchQueries queries, TransactionTemplate tx, WorkSignal signal, Clock clock,
            StarlingProperties properties) {
        this.queries = queries;
        this.tx = tx;
        this.signal = signal;
        this.clock = clock;
        this.settings = properties.dispatch();
    }

    /**
     * Claims up to {@code maxTasks} tasks for the host; when there are none, waits up to {@code wait}
     * for work to appear. An empty answer is normal.
     */
    List<ClaimedTask> requestWork(AuthenticatedHost host, int maxTasks, Duration wait) throws InterruptedException {
        int limit = Math.min(Math.max(maxTasks, 0), settings.maxTasksPerRequest());
        // waiting is measured on the monotonic clock; the injected clock is for what gets written
        long giveUp = System.nanoTime() + min(wait, settings.maxWait()).toNanos();
        while (true) {
            long seen = signal.generation();
            List<ClaimedTask> tasks = claim(host, limit);
            if (!tasks.isEmpty() && Context.current().isCancelled()) {
                // the worker hung up (shutdown, lost connection): the answer would be lost, so the tasks too
                tx.executeWithoutResult(s -> signal.workCreated(
                        queries.unclaim(host.id(), tasks.stream().map(ClaimedTask::resultId).toList())));
                return List.of();
            }
            Duration left = Duration.ofNanos(giveUp - System.nanoTime());
            if (!tasks.isEmpty() || limit == 0 || left.isNegative() || left.isZero() || !signal.isOpen()
                    || Context.current().isCancelled()) {
                return tasks;
            }
            signal.awaitAfter(seen, left);
        }
    }

    /**
     * One statement, committed on its own. A job is marked RUNNING by the first claim this coordinator makes
     * of it (a separate statement, skipped for jobs it has seen running: the common case costs one round trip).
     */
    private List<ClaimedTask> claim(AuthenticatedHost host, int limit) {
        Instant now = clock.instant();
        List<ClaimedTask> tasks;
        try {
            tasks = queries.claim(host.id(), host.apps(), limit, now, now.plus(settings.lease()));
        } catch (DuplicateKeyException e) {
            // another claim for this host (another coordinator?) took a replica of the same work unit at the
            // same moment; the unique index refused ours whole: look again
            log.debug("Host {}: concurrent claim of one work unit, claiming again", host.id());
            tasks = queries.claim(host.id(), host.apps(), limit, now, now.plus(settings.lease()));
        }
        if (!tasks.isEmpty()) {
            List<Long> unseen = tasks.stream().map(ClaimedTask::jobId).distinct().filter(j -> !runningJobs.contains(j))
                    .toList();
            if (!unseen.isEmpty()) {
                List<Long> started = queries.markRunning(unseen, now);
                if (!started.isEmpty()) {
                    log.info("Job(s) {} running: first tasks sent", started);
                }
                if (runningJobs.size() > 10_000) {
                    runningJobs.clear();
                }
                runningJobs.addAll(unseen);
            }
            log.debug("Host {} claimed {} task(s)", host.id(), tasks.size());
        }
        return tasks;
    }

    /** A heartbeat's outcome: new leases, and the tasks the host should abandon. */
    record Beat(Map<Long, Instant> leases, List<Long> abandon) {}

    Beat heartbeat(AuthenticatedHost host, Map<Long, Double> progress) {
        if (progress.isEmpty()) {
            return new Beat(Map.of(), List.of());
        }
        return tx.execute(status -> {
            Long[] ids = progress.keySet().toArray(Long[]::new);
            Double[] fractions = progress.values().toArray(Double[]::new);
            Map<Long, Instant> leases = queries.heartbeat(host.id(), ids, fractions,
                    clock.instant().plus(settings.lease()));
            List<Long> lost = new ArrayList<>(progress.keySet());
            lost.removeAll(leases.keySet());
            lost.removeAll(queries.stillUseful(host.id(), lost));
            return new Beat(leases, lost);
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
