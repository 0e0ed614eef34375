package dev.starling.coordinator.dispatch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * Wakes long-polling RequestWork calls when work may have appeared (after a commit that created unsent
 * results). Waiters re-check the database at least every {@link #MAX_SLEEP}, which covers work created
 * by another coordinator on the same database.
 */
@Component
public class WorkSignal {
    static final Duration MAX_SLEEP = Duration.ofSeconds(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;

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

    /** Waits until a signal after {@code seen}, at most {@code timeout} (capped by {@link #MAX_SLEEP}). */
    void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long nanos = Math.min(timeout.toNanos(), MAX_SLEEP.toNanos());
        lock.lock();
        try {
            while (generation == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

}
