package dev.starling.worker.tasks;

/**
 * Runs tasks. The worker calls {@link #run} on one of its task threads and owns everything around it
 * (slots, reporting, cancellation); a runner only computes. Today's runner computes in process; pausing,
 * CPU throttling and a sandboxed runner are further implementations or decorators, and apps never notice.
 */
public interface TaskRunner {

    /**
     * Runs {@code task} to its end on the calling thread. Reads the input from the task, records progress
     * and checkpoints on it, and stops early when it is cancelled (its thread is then interrupted too).
     * Never throws: every way a run can end is a {@link TaskOutcome}.
     */
    TaskOutcome run(RunningTask task);
}
