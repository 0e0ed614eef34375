package dev.starling.worker.fault;

import dev.starling.worker.tasks.RunningTask;
import dev.starling.worker.tasks.TaskOutcome;
import dev.starling.worker.tasks.TaskRunner;
import java.util.Arrays;

/**
 * A fault for end-to-end tests of quorum validation: runs tasks with another runner and changes the
 * output of every successful run (its last byte flipped, or one byte when it is empty). The worker then
 * hashes what it reports, so the result looks well-formed and only disagrees with honest replicas.
 */
public final class WrongOutputRunner implements TaskRunner {
    private final TaskRunner honest;

    public WrongOutputRunner(TaskRunner honest) {
        this.honest = honest;
    }

    @Override
    public TaskOutcome run(RunningTask task) {
        TaskOutcome outcome = honest.run(task);
        if (outcome instanceof TaskOutcome.Succeeded s) {
            return new TaskOutcome.Succeeded(corrupt(s.output()), s.cpuTime(), s.produced());
        }
        return outcome;
    }

    static byte[] corrupt(byte[] output) {
        if (output.length == 0) {
            return new byte[] {'0'};
        }
        byte[] wrong = Arrays.copyOf(output, output.length);
        wrong[wrong.length - 1] ^= 1;
        return wrong;
    }
}
