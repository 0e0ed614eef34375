package dev.starling.wasm;

import java.util.Map;
import java.util.Objects;

/**
 * How a task ended. A success carries the module's standard output and the files it wrote under {@code /output};
 * every other status is a failure whose {@link #message} says what happened in words for the researcher, with the last
 * lines of standard error ({@link #stderrTail}) for context.
 *
 * @param exitCode the module's exit code ({@code proc_exit}, or 0 when {@code _start} returned); -1 if it never exited
 * @param stdout standard output (empty unless {@link Status#SUCCEEDED} or {@link Status#EXIT_CODE})
 * @param outputFiles files under {@code /output}, by path relative to it (only on success)
 * @param stderrTail the end of standard error, at most {@link WasmSandbox#STDERR_TAIL_BYTES} bytes, as text the
 *     database takes (no NUL, no invalid UTF-8)
 * @param cpuNanos the task thread's CPU time
 */
public record TaskResult(Status status, int exitCode, byte[] stdout, Map<String, byte[]> outputFiles, String message,
        String stderrTail, long cpuNanos) {

    public enum Status {
        SUCCEEDED,
        /** The module exited with a code other than 0. */
        EXIT_CODE,
        /** A trap: unreachable, out-of-bounds memory access, division by zero, call stack exhausted, ... */
        TRAP,
        /** The module needed more memory than the task's limit (and failed for it). */
        MEMORY_LIMIT,
        CPU_LIMIT,
        OUTPUT_LIMIT,
        SCRATCH_LIMIT,
        /** Stopped by the caller ({@link TaskCancelledException}). */
        CANCELLED,
        /** The module could not be run at all (an import the sandbox does not provide, a bad input file). */
        FAILED
    }

    public TaskResult {
        Objects.requireNonNull(status, "status");
        outputFiles = Map.copyOf(outputFiles);
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stderrTail, "stderrTail");
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }

    @Override
    public String toString() {
        return "TaskResult[" + status + ", exit " + exitCode + ", " + stdout.length + " bytes out, " + message + "]";
    }
}
