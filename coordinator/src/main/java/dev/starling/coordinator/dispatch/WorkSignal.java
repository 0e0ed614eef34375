package dev.starling.coordinator.dispatch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Wakes long-polling RequestWork calls when work may have appeared (after a commit that created unsent
 * results). Waiters re-check the database at least every {@link #MAX_SLEEP}, which covers work created
 * by another coordinator on the same database. When the coordinator stops, waiters return at once, so
 * the gRPC server's graceful shutdown does not wait out long polls.
 */
@Component
public class WorkSignal implements SmartLifecycle {
    static final Duration MAX_SLEEP = Duration.ofSeconds(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;
    private volatile boolean open;

    /** Wakes every waiter. Call after the commit that made the work visible. */
    public void signal() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /** False once the coordinator is stopping: long polls stop waiting. */
    boolean isOpen() {
        return open;
    }

    /** Waits until a signal after {@code seen}, at most {@code timeout} (capped by {@link #MAX_SLEEP}). */
    void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long nanos = Math.min(timeout.toNanos(), MAX_SLEEP.toNanos());
        lock.lock();
        try {
            while (open && generation == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }


    @Override
    public void start() {
        open = true;
    }

    @Override
    public void stop() {
        open = false;
        signal();
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
