package dev.starling.wasm;

/**
 * Where a running module stops to be paused, throttled, cancelled or timed out. Not an API: it is public only
 * because the classes Chicory compiles from a module call {@link #poll}.
 *
 * <p>Chicory's compiler puts a check at every loop back edge and every call of the code it generates
 * ({@code checkInterruption}: if the thread is interrupted, throw). {@link SafepointCompiler} points that check here
 * instead, so a task thread that was asked to ({@link TaskThread#requestSafepoint}) runs {@link TaskThread#safepoint}
 * at the next back edge or call, where it can block, sleep or throw. The check costs what Chicory's own did: one
 * read of a field of the current thread.
 */
public final class Safepoints {
    private Safepoints() {}

    /** Called by compiled modules at every loop back edge and call. */
    public static void poll() {
        if (Thread.currentThread() instanceof TaskThread task && task.safepointRequested()) {
            task.safepoint();
        }
    }
}
