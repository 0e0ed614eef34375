package dev.starling.worker.internal;

import java.time.Duration;

/** How one run of a task ended, as a {@link TaskRunner} tells it. */
sealed interface TaskOutcome {

    /** CPU time the run used. */
    Duration cpuTime();

    /** The app wrote this output and returned. */
    record Succeeded(byte[] output, Duration cpuTime) implements TaskOutcome {}

    /** The app failed on this input (or is not installed): a compute error of the work unit. */
    record Failed(String message, Duration cpuTime) implements TaskOutcome {}

    /** The run stopped because the task was cancelled. */
    record Cancelled(Duration cpuTime) implements TaskOutcome {}
}
