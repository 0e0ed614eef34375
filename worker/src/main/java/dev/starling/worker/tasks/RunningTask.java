package dev.starling.worker.tasks;

import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.sdk.TaskContext;
import dev.starling.worker.journal.Journal;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's handle on one task while it is held: its progress, its last checkpoint (kept in the journal, so
 * that it outlives the worker), whether it was cancelled, the thread computing it (interrupted on
 * cancellation), its blobs and the bytes fetched for it. A task is <em>settled</em> exactly once: when its
 * outcome is queued for reporting, or when it is abandoned or given back; whatever happens to it after that is
 * ignored.
 */
public final class RunningTask {
    private static final Logger log = LoggerFactory.getLogger(RunningTask.class);


    /** Why a task was cancelled. */
    enum CancelReason {
        /** the coordinator no longer wants it: nothing is reported */
        ABANDONED,
        /** the worker is stopping: it is given back */
        SHUTDOWN,
        /** the worker is stopping and keeps it, with its checkpoint, to resume at its next start: nothing is reported */
        PARKED
    }

    private final Task task;
    private final Instant received;
    private final TaskBlobs blobs;
    private final TransferCounter transfer = new TransferCounter();
    private final AtomicReference<byte[]> checkpoint = new AtomicReference<>();
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Journal journal;
    private final boolean resumed;
    private volatile double progress;
    private volatile CancelReason cancelled;
    private volatile Instant lastCheckpoint;
    private volatile Instant computeStarted;
    private volatile boolean checkpointWanted; // the worker is stopping and asked for one now
    private volatile boolean checkpointOnDisk; // in the journal: the task can resume after a restart
    private boolean checkpointFailed; // guarded by this
    private Thread thread; // guarded by this

    RunningTask(Task task, Instant received, TaskBlobs blobs) {
        this(task, received, blobs, null, Optional.empty());
    }

    /**
     * @param journal where checkpoints are kept; null: in memory only
     * @param resumed the checkpoint the task resumes from, after the worker was restarted
     */
    RunningTask(Task task, Instant received, TaskBlobs blobs, Journal journal, Optional<Journal.Checkpoint> resumed) {
        this.task = task;
        this.received = received;
        this.blobs = blobs;
        this.journal = journal;
        this.lastCheckpoint = received;
        this.resumed = resumed.isPresent();
        resumed.ifPresent(c -> {
            checkpoint.set(c.state());
            progress = c.progress();
            checkpointOnDisk = true;
        });
    }

    public Task task() {
        return task;
    }

    /** Whether the task resumes from a checkpoint of an earlier run of the worker (so computes only the rest). */
    boolean resumed() {
        return resumed;
    }

    public long resultId() {
        return task.getResultId();
    }

    Instant received() {
        return received;
    }

    public TaskBlobs blobs() {
        return blobs;
    }

    /** The bytes fetched for this task's inputs. */
    public TransferCounter transfer() {
        return transfer;
    }

    /** Records progress, clamped to 0..1; anything but a number is ignored. */
    void progress(double fractionDone) {
        if (!Double.isNaN(fractionDone)) {
            progress = Math.max(0.0, Math.min(1.0, fractionDone));
        }
    }

    public double progress() {
        return progress;
    }

    /** This task as a heartbeat carries it: its progress, and {@code suspended} when tasks may not compute now. */
    public TaskProgress.Builder heartbeat(boolean suspended) {
        return TaskProgress.newBuilder().setResultId(resultId()).setFractionDone(progress).setSuspended(suspended);
    }

    Optional<byte[]> checkpoint() {
        return Optional.ofNullable(checkpoint.get()).map(byte[]::clone);
    }

    /** The app starts computing (again): the next checkpoint is due an interval from now. */
    void startsComputing(Instant now) {
        lastCheckpoint = now;
        computeStarted = now;
    }

    /** When the app started computing; empty while the task waits (for its inputs, a core, memory). */
    public Optional<Instant> computeStarted() {
        return Optional.ofNullable(computeStarted);
    }

    /**
     * Keeps {@code state} as the task's checkpoint, on disk when there is a journal. A checkpoint the disk will
     * not take is kept in memory and the failure logged (once per task): the task goes on, and a crash would
     * resume it from its last checkpoint on disk.
     *
     * @throws IllegalArgumentException when the state is larger than {@link TaskContext#MAX_CHECKPOINT_BYTES}
     */
    void saveCheckpoint(byte[] state, Instant now) {
        if (state.length > TaskContext.MAX_CHECKPOINT_BYTES) {
            throw new IllegalArgumentException("a checkpoint holds at most " + TaskContext.MAX_CHECKPOINT_BYTES
                    + " bytes, this one has " + state.length);
        }
        byte[] copy = state.clone();
        checkpoint.set(copy);
        lastCheckpoint = now;
        try {
            if (journal != null) {
                journal.checkpoint(resultId(), progress, copy);
                checkpointOnDisk = true;
            }
        } catch (IOException e) {
            synchronized (this) {
                if (!checkpointFailed) {
                    checkpointFailed = true;
                    log.warn("The checkpoint of {} could not be written ({}); the task goes on, but a crash would"
                            + " resume it from an older one or start it over", this, e.getMessage());
                } else {
                    log.debug("The checkpoint of {} could not be written again: {}", this, e.getMessage());
                }
            }
        } finally {
            checkpointWanted = false; // only now: a stopping worker parks the task once this is on disk
        }
    }

    /** Asks the app for a checkpoint at its next {@code checkpointDue()}, whatever the interval says. */
    void wantCheckpoint() {
        checkpointWanted = true;
    }

    /**
     * Whether the task should save a checkpoint now: the worker asked for one, or {@code interval} passed since it
     * started computing or saved its last.
     */
    boolean checkpointDue(Instant now, Duration interval) {
        return checkpointWanted || !Duration.between(lastCheckpoint, now).minus(interval).isNegative();
    }

    /** Whether a checkpoint was asked for and the app has not saved one since. */
    boolean checkpointWanted() {
        return checkpointWanted;
    }

    /** Whether the journal holds a checkpoint of this task, so that a restarted worker can resume it. */
    boolean hasCheckpointOnDisk() {
        return checkpointOnDisk;
    }

    public boolean isCancelled() {
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
