package dev.starling.wasm;

/**
 * How the caller (the worker, the researcher's {@code app run}) steers a running task and hears from it. Every method
 * is called on the task's own thread, so it may block or sleep that thread and nothing else.
 */
public interface TaskControl {
    /** Steers nothing and ignores what the task says. */
    TaskControl NONE = new TaskControl() {};

    /**
     * Called at a safepoint of the running module, about every {@link WasmSandbox.Options#safepointInterval} of the
     * task's running (and at its calls to Starling's host functions). Block here while computing is suspended, sleep
     * here to keep the task to a CPU limit (the task's CPU clock is {@link #cpuNanos}), throw
     * {@link TaskCancelledException} to stop the task. Time spent here is not the task's CPU time.
     */
    default void safepoint() throws InterruptedException {}

    /** The module asks whether to save a checkpoint now ({@code starling.checkpoint_due}). */
    default boolean checkpointDue() {
        return false;
    }

    /**
     * The module wrote its state under {@code /checkpoint/} ({@code starling.checkpoint_done}): journal these files
     * (path under {@code /checkpoint/} to content); a resumed task gets them back ({@link WasmTask#checkpoint}).
     */
    default void checkpointDone(java.util.Map<String, byte[]> checkpointFiles) {}

    /** The module's progress, a finite number from 0.0 to 1.0 ({@code starling.progress}; other values are dropped). */
    default void progress(double fractionDone) {}

    /** The CPU time of the calling task thread so far, in nanoseconds: what a CPU limit compares with wall time. */
    static long cpuNanos() {
        return WasmSandbox.THREADS.getCurrentThreadCpuTime();
    }
}
