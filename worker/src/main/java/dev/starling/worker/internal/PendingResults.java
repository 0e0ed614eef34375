package dev.starling.worker.internal;

import dev.starling.proto.v1.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Results waiting to be reported, oldest first. A result stays here until the coordinator has
 * acknowledged it: sending it does not take it out, only {@link #settle} does.
 */
final class PendingResults {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, TaskResult> byResultId = new LinkedHashMap<>();

    void add(TaskResult result) {
        lock.lock();
        try {
            byResultId.put(result.getResultId(), result);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a result is waiting, then returns the oldest ones, up to {@code maxCount} results and
     * {@code maxBytes} serialized bytes (but always at least one). They stay pending.
     */
    List<TaskResult> awaitBatch(int maxCount, long maxBytes) throws InterruptedException {
        lock.lock();
        try {
            while (byResultId.isEmpty()) {
                changed.await();
            }
            List<TaskResult> batch = new ArrayList<>();
            long bytes = 0;
            for (TaskResult result : byResultId.values()) {
                long size = result.getSerializedSize();
                if (batch.size() == maxCount || (!batch.isEmpty() && bytes + size > maxBytes)) {
                    break;
                }
                batch.add(result);
                bytes += size;
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** The result was acknowledged (or is no longer wanted): forget it. */
    void settle(long resultId) {
        lock.lock();
        try {
            if (byResultId.remove(resultId) != null) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is pending, up to {@code timeout}; true when nothing is. */
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
