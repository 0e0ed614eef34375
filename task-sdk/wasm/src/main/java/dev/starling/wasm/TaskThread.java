package dev.starling.wasm;

/**
 * The thread a task runs on: a known stack size (so that deep recursion ends in a trap, not a crash) and a flag that
 * makes the module's next loop back edge or call stop at {@link #safepoint} ({@link Safepoints}).
 */
final class TaskThread extends Thread {
    private final Runnable atSafepoint;
    private volatile boolean safepointRequested;

    TaskThread(Runnable body, String name, long stackSize, Runnable atSafepoint) {
        super(null, body, name, stackSize);
        this.atSafepoint = atSafepoint;
        setDaemon(true);
    }

    boolean safepointRequested() {
        return safepointRequested;
    }

    /** Makes the task stop at its next safepoint; any thread may call it. */
    void requestSafepoint() {
        safepointRequested = true;
    }

    /** Runs on this thread, at a back edge or call of the module's code or in a host function. */
    void safepoint() {
        safepointRequested = false;
        atSafepoint.run();
    }
}
