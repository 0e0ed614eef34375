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

    /**
     * Reports progress, 0.0 to 1.0; cheap enough to call often. It reaches the coordinator with the worker's
     * next heartbeat. Call it (or {@link #isCancelled}) between steps of a few milliseconds at most: these calls
     * are where the worker paces a task to the volunteer's CPU limit and holds it while computing is suspended,
     * so a task that makes neither call for long runs unthrottled meanwhile.
     */
    void progress(double fractionDone);

    /**
     * True once the task should stop (job cancelled, worker shutting down). Long computations check it
     * between steps and return or throw {@link CancelledException}.
     */
    boolean isCancelled();

    /**
     * The state last given to {@link #saveCheckpoint}, when the task is resumed after an interruption (the
     * worker was killed, the machine lost power); empty on a fresh start. An app must check that the state
     * belongs to this work unit and start over when it does not.
     */
    Optional<byte[]> checkpoint();

    /**
     * Saves state from which {@link App#compute} can resume; the last saved state wins. On a worker the state
     * is on disk when this returns (written whole or not at all), so keep it small (kilobytes, at most
     * {@link #MAX_CHECKPOINT_BYTES}) and save it when {@link #checkpointDue} says so rather than at every step.
     *
     * @throws IllegalArgumentException when the state is larger than {@link #MAX_CHECKPOINT_BYTES}
     */
    void saveCheckpoint(byte[] state);

    /** The largest state {@link #saveCheckpoint} takes. */
    int MAX_CHECKPOINT_BYTES = 16 << 20;

    /**
     * True when the worker would like a checkpoint now: the volunteer's checkpoint interval (a minute by
     * default) has passed since the task started or last saved one. Apps that can resume call it between steps
     * and save when it says so, which bounds the work lost to a crash without wearing out the disk. Cheap to
     * call. Contexts that do not know better never ask for one.
     */
    default boolean checkpointDue() {
        return false;
    }

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
