package dev.starling.worker.tasks;

import dev.starling.proto.v1.BlobRef;
import java.time.Duration;
import java.util.List;

/** How one run of a task ended, as a {@link TaskRunner} tells it. */
public sealed interface TaskOutcome {

    /** CPU time the run used. */
    Duration cpuTime();

    /** The app wrote this output and returned, having stored the {@code produced} blobs. */
    record Succeeded(byte[] output, Duration cpuTime, List<BlobRef> produced) implements TaskOutcome {
        public Succeeded {
            produced = List.copyOf(produced);
        }
    }

    /** The app failed on this input (or is not installed): a compute error of the work unit. */
    record Failed(String message, Duration cpuTime) implements TaskOutcome {}

    /** The run stopped because the task was cancelled. */
    record Cancelled(Duration cpuTime) implements TaskOutcome {}

    /**
     * Input blobs could be fetched from nobody: given back without fault, naming them, so that the coordinator
     * looks for their holders or re-creates them.
     */
    record InputUnavailable(String message, List<String> missingBlobIds) implements TaskOutcome {
        public InputUnavailable {
            missingBlobIds = List.copyOf(missingBlobIds);
        }

        @Override
        public Duration cpuTime() {
            return Duration.ZERO;
        }
    }

    /** This worker cannot run the task (its inputs do not fit its cache, its disk failed): given back. */
    record GivenBack(String message) implements TaskOutcome {
        @Override
        public Duration cpuTime() {
            return Duration.ZERO;
        }
    }
}
