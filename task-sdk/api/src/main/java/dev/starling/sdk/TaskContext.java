package dev.starling.sdk;

import java.io.IOException;
import java.io.InputStream;
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

    /**
     * Where the output goes. Written once, in full, before {@code compute} returns. It travels to the
     * coordinator inline and is what replicas are compared by: keep it small (a summary, or the ids of
     * blobs stored with {@link #storeBlob}), bulk data belongs in blobs.
     */
    OutputStream output();

    /**
     * Opens a blob this work unit reads ({@link WorkUnit#blobs()}) or one this task stored. The worker
     * fetched and verified it before {@code compute} was called; reading does not touch the network.
     *
     * @throws IllegalArgumentException when the work unit does not name the blob
     */
    InputStream openBlob(String blobId) throws IOException;

    /** The size in bytes of a blob {@link #openBlob} opens. */
    long blobSize(String blobId);

    /**
     * Stores intermediate data for a next stage as a blob kept on this worker, and returns its content
     * address. Only the id and size reach the coordinator: name the id in the output, so that the next
     * stage's plan can hand it to the work units that read it ({@link WorkUnitSpec#blobs}); they fetch it
     * from the hosts whose output the quorum accepted. Storing the same bytes twice gives the same id.
     */
    String storeBlob(byte[] content) throws IOException;
}
