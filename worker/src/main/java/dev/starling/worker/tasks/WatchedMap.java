package dev.starling.worker.tasks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A map by result id, in insertion order, that threads can wait on: one lock guards it and every change
 * wakes the waiters.
 */
final class WatchedMap<V> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, V> byResultId = new LinkedHashMap<>();

    void put(long resultId, V value) {
        lock.lock();
        try {
            byResultId.put(resultId, value);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** False when a value with this result id is held already. */
    boolean putIfAbsent(long resultId, V value) {
        lock.lock();
        try {
            boolean added = byResultId.putIfAbsent(resultId, value) == null;
            if (added) {
                changed.signalAll();
            }
            return added;
        } finally {
            lock.unlock();
        }
    }

    Optional<V> get(long resultId) {
        lock.lock();
        try {
            return Optional.ofNullable(byResultId.get(resultId));
        } finally {
            lock.unlock();
        }
    }

    /** Removes the entry when it maps to {@code expected}, or whatever it maps to when that is null. */
    void remove(long resultId, V expected) {
        lock.lock();
        try {
            boolean removed = expected == null ? byResultId.remove(resultId) != null
                    : byResultId.remove(resultId, expected);
            if (removed) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the values, oldest first. */
    List<V> values() {
        lock.lock();
        try {
            return List.copyOf(byResultId.values());
        } finally {
            lock.unlock();
        }
    }

    /** Waits until there is at least one value, then returns a snapshot of them, oldest first. */
    List<V> awaitValues() throws InterruptedException {
        lock.lock();
        try {
            while (byResultId.isEmpty()) {
                changed.await();
            }
            return List.copyOf(byResultId.values());
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the map is empty, up to {@code timeout}; true when it is. */
    boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!byResultId.isEmpty()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return byResultId.size();
        } finally {
            lock.unlock();
        }
    }
}
