package dev.starling.worker.tasks;

import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.worker.journal.Journal;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks the poller received, one per slot, on the task threads, and settles each one exactly
 * once: its outcome is queued for reporting, or it is abandoned (nothing reported), or given back. A task's
 * blobs are pinned while it runs; the blobs a successful task stored stay pinned until its result is
 * acknowledged. Every task is in the journal before it runs, and its result before it is reported; a task the
 * journal cannot take (a full disk) is given back rather than run unrecorded.
 */
public final class TaskExecutor {
    private static final Logger log = LoggerFactory.getLogger(TaskExecutor.class);
    private static final Duration CHECKPOINT_WAIT_STEP = Duration.ofMillis(50);

    private final Executor threads;
    private final TaskRunner runner;
    private final RunningTasks tasks;
    private final Slots slots;
    private final PendingResults pending;
    private final Stats stats;
    private final PeerPlane plane;
    private final Journal journal;
    private final WorkBuffer buffer;
    private final AppSpeeds speeds;
    private final Clock clock;

    public TaskExecutor(Executor threads, TaskRunner runner, RunningTasks tasks, Slots slots, PendingResults pending,
            Stats stats, PeerPlane plane, Journal journal, WorkBuffer buffer, AppSpeeds speeds, Clock clock) {
        this.threads = threads;
        this.journal = journal;
        this.buffer = buffer;
        this.speeds = speeds;
        this.runner = runner;
        this.tasks = tasks;
        this.slots = slots;
        this.pending = pending;
        this.stats = stats;
        this.plane = plane;
        this.clock = clock;
    }

    /**
     * Starts {@code task} on a slot the caller took; the slot is released when the task's run ends.
     * False (and the slot stays with the caller) when the task is held already.
     */
    public boolean start(Task task) {
        if (tasks.find(task.getResultId()).isPresent()) {
            log.warn("The coordinator sent task {} again while it is running; ignored", task.getResultId());
            return false;
        }
        Optional<String> late = buffer.cannotFinish(task, tasks.all(), clock.instant());
        if (late.isPresent()) {
            log.info("Giving back task {} ({}): {}", task.getResultId(), task.getApp(), late.get());
            giveBack(task, late.get());
            return false;
        }
        try {
            journal.accepted(task);
        } catch (IOException e) {
            log.error("Task {} cannot be recorded in the journal ({}); it is given back. Is the disk full?",
                    task.getResultId(), e.getMessage());
            giveBack(task, "the worker cannot record the task: " + e.getMessage());
            return false; // nothing runs: the caller's slot stays free
        }
        return run(task, Optional.empty());
    }

    /**
     * Starts a task the journal held when the worker started, on a slot the caller took, from its checkpoint
     * when it has one. False (and the slot stays with the caller) when it is held already.
     */
    public boolean resume(Task task, Optional<Journal.Checkpoint> checkpoint) {
        log.info("Resuming task {} ({}, job {}){}", task.getResultId(), task.getApp(), task.getJobId(),
                checkpoint.map(c -> String.format(java.util.Locale.ROOT, " from its checkpoint at %.0f%%",
                        100 * c.progress())).orElse(" from the start: it had saved no checkpoint"));
        return run(task, checkpoint);
    }

    private boolean run(Task task, Optional<Journal.Checkpoint> checkpoint) {
        RunningTask running = new RunningTask(task, clock.instant(), plane.blobsOf(task), journal, checkpoint);
        if (!tasks.add(running)) {
            log.warn("The coordinator sent task {} again while it is running; ignored", task.getResultId());
            return false;
        }
        log.debug("Started {}", running);
        try {
            threads.execute(() -> runOnSlot(running));
        } catch (RejectedExecutionException stopping) {
            slots.release(1);
            giveBack(running, "the worker is stopping");
        }
        return true;
    }

    /** Hands a task back at once without running it (for example, more tasks came than were asked for). */
    public void giveBack(Task task, String why) {
        log.debug("Giving back task {}: {}", task.getResultId(), why);
        pending.add(TaskResults.givenBack(task.getResultId(), why, new TransferCounter()));
        stats.givenBack();
    }

    /** Cancels the named tasks for good: the coordinator no longer wants them, and nothing is reported. */
    /** Blobs the coordinator told this worker to drop: the data plane drops those no task uses. */
    public void dropBlobs(List<String> blobIds) {
        if (!blobIds.isEmpty()) {
            plane.drop(blobIds);
        }
    }

    public void abandon(Collection<Long> resultIds) {
        for (long resultId : resultIds) {
            tasks.find(resultId).ifPresent(running -> {
                if (running.settle()) {
                    tasks.forget(running);
                    running.cancel(RunningTask.CancelReason.ABANDONED);
                    stats.abandoned();
                    log.debug("Abandoned {}: the coordinator no longer needs it", running);
                }
            });
            pending.settle(resultId);
        }
    }

    /** Gives back the tasks that have not started computing (the work buffer's), so that others get them at once. */
    public void giveBackWaiting(String why) {
        for (RunningTask running : tasks.all()) {
            if (running.computeStarted().isEmpty()) {
                giveBack(running, why);
            }
        }
    }

    /**
     * Asks every task computing for a checkpoint now, and waits up to {@code timeout} until each has saved one or
     * ended (apps that save none hold the wait to its end). While computing is suspended no task can get to its next
     * checkpoint, so the wait ends at once: those with a checkpoint in the journal are parked from it, the others
     * given back, rather than the stop waiting out the grace period (a volunteer at the keyboard, shutting down).
     *
     * @param suspended whether computing is suspended now
     */
    public void awaitCheckpointsOrEnd(Duration timeout, BooleanSupplier suspended) throws InterruptedException {
        tasks.all().forEach(RunningTask::wantCheckpoint);
        long end = System.nanoTime() + timeout.toNanos();
        while (tasks.all().stream().anyMatch(RunningTask::checkpointWanted) && !suspended.getAsBoolean()
                && System.nanoTime() < end) {
            Thread.sleep(CHECKPOINT_WAIT_STEP);
        }
    }

    /**
     * Stops every task whose checkpoint is in the journal and keeps it there, unreported, for the next start to
     * resume (the heartbeat loop tells the coordinator); returns them.
     */
    public List<RunningTask> park() {
        List<RunningTask> parked = new ArrayList<>();
        for (RunningTask running : tasks.all()) {
            if (running.hasCheckpointOnDisk() && running.settle()) {
                running.cancel(RunningTask.CancelReason.PARKED);
                tasks.forget(running);
                stats.parked();
                parked.add(running);
                log.debug("Parked {} at {}%", running, Math.round(100 * running.progress()));
            }
        }
        return parked;
    }

    /** Cancels every task still held and gives it back, so that the coordinator reissues it at once. */
    public void giveBackAll(String why) {
        for (RunningTask running : tasks.all()) {
            giveBack(running, why);
        }
    }

    private void giveBack(RunningTask running, String why) {
        if (running.settle()) {
            running.cancel(RunningTask.CancelReason.SHUTDOWN);
            log.debug("Giving back {}: {}", running, why);
            pending.add(TaskResults.givenBack(running.resultId(), why, running.transfer()));
            stats.givenBack();
            tasks.forget(running);
        }
    }

    /** Writes a result to the journal before it is reported; a result the disk will not take is reported all the same. */
    private void record(TaskResult result) {
        try {
            journal.finished(result);
        } catch (IOException e) {
            log.error("The result of task {} cannot be written to the journal ({}); it is reported all the same, but"
                    + " would be lost if the worker died before that", result.getResultId(), e.getMessage());
        }
    }

    private void runOnSlot(RunningTask running) {
        running.attach(Thread.currentThread());
        try {
            TaskOutcome outcome;
            try {
                outcome = runner.run(running);
            } catch (RuntimeException | Error bug) {
                log.error("The task runner failed on {}", running, bug);
                outcome = new TaskOutcome.Failed("worker error: " + InProcessTaskRunner.message(bug), Duration.ZERO);
            }
            settle(running, outcome);
        } finally {
            running.detach();
            running.blobs().release();
            Thread.interrupted(); // a cancellation's interrupt must not reach the next task on this thread
            slots.release(1);
        }
    }

    private void settle(RunningTask running, TaskOutcome outcome) {
        if (!running.settle()) {
            log.debug("{} ended after it was {}", running, running.isCancelled() ? running.cancelReason() : "settled");
            return;
        }
        Duration took = Duration.between(running.received(), clock.instant());
        switch (outcome) {
            case TaskOutcome.Succeeded s -> {
                stats.succeeded();
                if (!running.resumed()) { // a resumed task's time is only its rest's
                    running.computeStarted().ifPresent(started ->
                            speeds.record(running.task(), Duration.between(started, clock.instant())));
                }
                log.debug("Finished {} in {} ms (CPU {} ms), {} bytes of output", running, took.toMillis(),
                        s.cpuTime().toMillis(), s.output().length);
            }
            case TaskOutcome.Failed f -> {
                stats.failed();
                log.debug("{} failed in {} ms: {}", running, took.toMillis(), f.message());
            }
            case TaskOutcome.Cancelled c -> {
                stats.givenBack();
                log.debug("{} stopped after {} ms and is given back", running, took.toMillis());
            }
            case TaskOutcome.InputUnavailable u -> stats.inputUnavailable();
            case TaskOutcome.GivenBack g -> stats.givenBack();
        }
        TaskResult result = TaskResults.of(running.resultId(), outcome, running.transfer());
        if (!(outcome instanceof TaskOutcome.Cancelled || outcome instanceof TaskOutcome.GivenBack)) {
            record(result); // a task given back is not: after a crash it had better run again here
        }
        if (outcome instanceof TaskOutcome.Succeeded) {
            pending.add(result, running.blobs().handOverProduced()); // its blobs stay until it is acknowledged
        } else {
            pending.add(result);
        }
        tasks.forget(running);
    }
}
