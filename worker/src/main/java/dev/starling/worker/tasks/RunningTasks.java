package dev.starling.worker.tasks;

import dev.starling.proto.v1.TaskProgress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The tasks this worker holds and has not settled yet, by result id. */
public final class RunningTasks {
    private final WatchedMap<RunningTask> tasks = new WatchedMap<>();

    /** Adds a task; false when a task with its result id is held already. */
    boolean add(RunningTask task) {
        return tasks.putIfAbsent(task.resultId(), task);
    }

    Optional<RunningTask> find(long resultId) {
        return tasks.get(resultId);
    }

    /** Forgets a task that was settled (its result, if any, must be queued first: see {@link #awaitNone}). */
    void forget(RunningTask task) {
        tasks.remove(task.resultId(), task);
    }

    public List<RunningTask> all() {
        return tasks.values();
    }

    public int count() {
        return tasks.size();
    }

    /** The progress of every held task, as heartbeats carry it; {@code suspended} when tasks may not compute now. */
    public List<TaskProgress> progress(boolean suspended) {
        return all().stream().map(t -> t.heartbeat(suspended).build()).toList();
    }

    /**
     * Waits until no task is held, up to {@code timeout}; true when none is. A stopping worker reports what is
     * pending after this returns, which is why a task is forgotten only after its result was queued.
     */
    public boolean awaitNone(Duration timeout) throws InterruptedException {
        return tasks.awaitEmpty(timeout);
    }
}
