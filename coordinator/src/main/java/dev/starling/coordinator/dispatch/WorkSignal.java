package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Wakes long-polling RequestWork calls when work appears, on every coordinator of the database.
 *
 * <p>A transaction that creates unsent replicas calls {@link #workCreated(int)}, which queues a PostgreSQL
 * {@code NOTIFY} carrying the count; PostgreSQL delivers it at commit (never for a rolled-back transaction) to
 * every coordinator's listener connection, this one's included. A listener wakes as many waiting calls as
 * replicas were created, oldest waiter first, rather than every waiter: a thousand idle hosts do not all run
 * the claim query for one new replica. Waiters re-check the database at least every
 * {@code starling.dispatch.recheck-interval} all the same, which covers a listener connection that was down.
 * When the coordinator stops, waiters return at once, so the gRPC server's graceful shutdown does not wait out
 * long polls.
 */
@Component
public class WorkSignal implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(WorkSignal.class);
    private static final int POLL_MILLIS = 500;

    private final WorkSignalQueries queries;
    private final Duration recheck;
    private final AtomicLong generation = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private volatile boolean open;
    private Thread listener;

    WorkSignal(WorkSignalQueries queries, StarlingProperties properties) {
        this.queries = queries;
        this.recheck = properties.dispatch().recheckInterval();
    }

    /**
     * Announces {@code count} new unsent replicas to the waiters of every coordinator, once the current
     * transaction commits (at once when there is none).
     */
    public void workCreated(int count) {
        if (count > 0) {
            queries.announce(count);
        }
    }

    /** A waiting call: parked until woken, its recheck interval or its own deadline. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile boolean woken;
    }

    /** A value to pass to {@link #awaitAfter}: read it before looking for work. */
    long generation() {
        return generation.get();
    }

    /** How many RequestWork calls are waiting for work now. */
    public int waiting() {
        return waiters.size();
    }

    /** False once the coordinator is stopping: long polls stop waiting. */
    boolean isOpen() {
        return open;
    }

    /**
     * Waits until woken by work announced after {@code seen} was read, at most {@code timeout} and at most the
     * recheck interval. Returns at once when work was announced in between (the caller looks again).
     */
    void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), recheck.toNanos());
        Waiter me = new Waiter();
        waiters.add(me);
        try {
            // an announcement between the caller's look and our enqueueing would otherwise be missed
            while (open && !me.woken && generation.get() == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            waiters.remove(me);
        }
    }

    /** Wakes up to {@code count} waiters, oldest first. */
    void wake(int count) {
        generation.incrementAndGet();
        for (int i = 0; i < count; i++) {
            Waiter w = waiters.poll();
            if (w == null) {
                return;
            }
            w.woken = true;
            LockSupport.unpark(w.thread);
        }
    }

    void wakeAll() {
        wake(Integer.MAX_VALUE);
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(100);
        while (open) {
            try (WorkSignalQueries.Listener channel = queries.listen()) {
                // whatever was announced while we were not listening is looked for now
                wakeAll();
                backoff = Duration.ofMillis(100);
                while (open) {
                    for (String payload : channel.await(POLL_MILLIS)) {
                        wake(count(payload));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!open) {
                    return;
                }
                log.warn("Work notifications interrupted ({}); waiters re-check every {} s; listening again in {} ms",
                        e.getMessage(), recheck.toSeconds(), backoff.toMillis());
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0
                        ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
    }

    private static int count(String payload) {
        try {
            return Math.max(1, Integer.parseInt(payload));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    @Override
    public void start() {
        open = true;
        listener = Thread.ofPlatform().name("starling-work-listener").daemon().start(this::listen);
    }

    @Override
    public void stop() {
        open = false;
        wakeAll();
        if (listener != null) {
            try {
                listener.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return open;
    }

    /** Stops first, before the gRPC server drains its calls. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
