package dev.starling.sdk;

import java.io.OutputStream;
import java.util.Optional;

/**
 * What a running task may ask of the worker that runs it. Implementations are provided by the worker
 * and by {@link LocalRunner}; apps never implement it.
 */
public interface TaskContext {

    /** Reports progress, 0.0 to 1.0; cheap enough to call often. */
    void progress(double fractionDone);

    /**
     * True once the task should stop (job cancelled, worker shutting down). Long computations check it
     * between steps and return or throw {@link CancelledException}.
     */
    boolean isCancelled();

    /** The state last given to {@link #saveCheckpoint}, when the task is resumed after an interruption. */
    Optional<byte[]> checkpoint();

    /** Saves state from which {@link App#compute} can resume; the last saved state wins. */
    void saveCheckpoint(byte[] state);

    /** Where the output goes. Written once, in full, before {@code compute} returns. */
    OutputStream output();
}
