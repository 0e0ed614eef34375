package dev.starling.worker.internal;

import dev.starling.proto.v1.TaskProgress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The tasks this worker holds and has not settled yet, by result id. */
final class RunningTasks {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, RunningTask> byResultId = new LinkedHashMap<>();

    /** Adds a task; false when a task with its result id is held already. */
    boolean add(RunningTask task) {
        lock.lock();
        try {
            return byResultId.putIfAbsent(task.resultId(), task) == null;
        } finally {
            lock.unlock();
        }
    }

    Optional<RunningTask> find(long resultId) {
        lock.lock();
        try {
            return Optional.ofNullable(byResultId.get(resultId));
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a task that was settled (its result, if any, must be queued first: see {@link #awaitNone}). */
    void forget(RunningTask task) {
        lock.lock();
        try {
            byResultId.remove(task.resultId(), task);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<RunningTask> all() {
        lock.lock();
        try {
            return List.copyOf(byResultId.values());
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return byResultId.size();
        } finally {
            lock.unlock();
        }
    }

    /** The progress of every held task, as heartbeats carry it. */
    List<TaskProgress> progress() {
        return all().stream()
                .map(t -> TaskProgress.newBuilder().setResultId(t.resultId()).setFractionDone(t.progress()).build())
                .toList();
    }

    /**
     * Waits until no task is held, up to {@code timeout}; true when none is. A stopping worker reports what is
     * pending after this returns, which is why a task is forgotten only after its result was queued.
     */
    boolean awaitNone(Duration timeout) throws InterruptedException {
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
}
