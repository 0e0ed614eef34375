package dev.starling.worker.wasm;

import java.util.concurrent.Semaphore;

/**
 * The linear memory this worker gives WebAssembly tasks ({@code --wasm-memory}), shared out: a deployed app's task
 * computes only once its {@code memoryMiB} fits beside those of the tasks computing, and gives it back when it ends.
 * Tasks take their turn in the order they asked (a large one is not passed over for ever by small ones).
 */
public final class WasmMemory {
    private final int budgetMiB;
    private final Semaphore free;

    /** @param budgetMiB the whole budget, MiB; 0: this worker runs no WebAssembly */
    public WasmMemory(int budgetMiB) {
        if (budgetMiB < 0) {
            throw new IllegalArgumentException("the WebAssembly memory budget must not be negative, was " + budgetMiB);
        }
        this.budgetMiB = budgetMiB;
        this.free = new Semaphore(budgetMiB, true);
    }

    public int budgetMiB() {
        return budgetMiB;
    }

    /** The memory the computing tasks hold, MiB. */
    public int inUseMiB() {
        return budgetMiB - free.availablePermits();
    }

    /** Why a task asking for {@code memoryMiB} can never run here, or null when it can (once there is room). */
    public String refusal(int memoryMiB) {
        if (memoryMiB <= budgetMiB) {
            return null;
        }
        return budgetMiB == 0 ? "this worker runs no WebAssembly (--wasm-memory 0)"
                : "the task needs " + memoryMiB + " MiB of WebAssembly memory, more than this worker's"
                        + " --wasm-memory of " + budgetMiB + " MiB";
    }

    /**
     * Waits until {@code memoryMiB} fits, and takes it; close the grant to give it back.
     *
     * @throws IllegalArgumentException when it never will ({@link #refusal})
     */
    public Grant acquire(int memoryMiB) throws InterruptedException {
        String refusal = refusal(memoryMiB);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        free.acquire(memoryMiB);
        return new Grant(memoryMiB);
    }

    /** Memory a task holds while it computes. */
    public final class Grant implements AutoCloseable {
        private final int memoryMiB;
        private boolean closed;

        private Grant(int memoryMiB) {
            this.memoryMiB = memoryMiB;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                free.release(memoryMiB);
            }
        }
    }
}
