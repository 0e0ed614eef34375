package dev.starling.worker.internal;

import dev.starling.proto.v1.Task;
import dev.starling.worker.data.TransferCounter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's handle on one task while it is held: its progress, its last checkpoint, whether it was
 * cancelled, the thread computing it (interrupted on cancellation), its blobs and the bytes fetched for it. A task is <em>settled</em> exactly
 * once: when its outcome is queued for reporting, or when it is abandoned or given back; whatever happens
 * to it after that is ignored.
 */
final class RunningTask {

    /** Why a task was cancelled. */
    enum CancelReason {
        /** the coordinator no longer wants it: nothing is reported */
        ABANDONED,
        /** the worker is stopping: it is given back */
        SHUTDOWN
    }

    private final Task task;
    private final Instant received;
    private final TaskBlobs blobs;
    private final TransferCounter transfer = new TransferCounter();
    private final AtomicReference<byte[]> checkpoint = new AtomicReference<>();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile double progress;
    private volatile CancelReason cancelled;
    private Thread thread; // guarded by this

    RunningTask(Task task, Instant received, TaskBlobs blobs) {
        this.task = task;
        this.received = received;
        this.blobs = blobs;
    }

    Task task() {
        return task;
    }

    long resultId() {
        return task.getResultId();
    }

    Instant received() {
        return received;
    }

    TaskBlobs blobs() {
        return blobs;
    }

    /** The bytes fetched for this task's inputs. */
    TransferCounter transfer() {
        return transfer;
    }

    /** Records progress, clamped to 0..1; anything but a number is ignored. */
    void progress(double fractionDone) {
        if (!Double.isNaN(fractionDone)) {
            progress = Math.max(0.0, Math.min(1.0, fractionDone));
        }
    }

    double progress() {
        return progress;
    }

    Optional<byte[]> checkpoint() {
        return Optional.ofNullable(checkpoint.get()).map(byte[]::clone);
    }

    void saveCheckpoint(byte[] state) {
        checkpoint.set(state.clone());
    }

    boolean isCancelled() {
        return cancelled != null;
    }

    CancelReason cancelReason() {
        return cancelled;
    }

    /** Sets the cancelled flag (the first reason wins) and interrupts the computing thread, if there is one. */
    synchronized void cancel(CancelReason reason) {
        if (cancelled == null) {
            cancelled = reason;
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The calling thread starts computing this task. */
    synchronized void attach(Thread computing) {
        this.thread = computing;
    }

    /** The computing thread is done with this task: a later cancellation must not interrupt it. */
    synchronized void detach() {
        this.thread = null;
    }

    /** True for the one caller that settles the task. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "task " + task.getResultId() + " (" + task.getApp() + ", job " + task.getJobId() + ", stage "
                + task.getStage() + ", #" + task.getIndex() + ")";
    }
}
