package dev.starling.wasm;

/** Stops a running task from inside it (a host function or a safepoint) with the status and message it ends with. */
final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final TaskResult.Status status;

    Stop(TaskResult.Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    TaskResult.Status status() {
        return status;
    }
}
