package dev.starling.worker.tasks;

import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.control.Pacer;

/**
 * What happens in the calls an app makes between steps ({@code progress}, {@code isCancelled},
 * {@code checkpointDue}): the task waits there while computing is suspended, and sleeps there as long as its
 * thread is ahead of the CPU limit. Only calls from the task's own thread are paced (its CPU time is what is
 * measured). A cancellation interrupts the wait; the interrupt is kept for the app to see.
 */
final class TaskPace {
    private final ComputeGate gate;
    private final Pacer pacer;
    private final Thread thread;

    TaskPace(ComputeGate gate, Pacer pacer, Thread thread) {
        this.gate = gate;
        this.pacer = pacer;
        this.thread = thread;
    }

    void step() {
        if (Thread.currentThread() != thread || thread.isInterrupted()) {
            return;
        }
        try {
            if (gate.awaitComputing()) {
                pacer.restart(); // suspended time is no credit
            }
            pacer.pace();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
