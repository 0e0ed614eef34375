package dev.starling.wasm;

/** Thrown by {@link TaskControl#safepoint} to stop a task; the task's result is then {@link TaskResult.Status#CANCELLED}. */
public final class TaskCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TaskCancelledException(String reason) {
        super(reason);
    }
}
