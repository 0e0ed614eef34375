package dev.starling.worker.tasks;

import dev.starling.proto.v1.BlobRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The blobs one task may open (its inputs and what it stored) and the blobs it stores, as the peer-to-peer data
 * plane keeps them for it ({@link PeerPlane#blobsOf}). What a task stored stays until the result that names it is
 * acknowledged: a consumer may come for it as soon as the quorum accepts that result.
 */
public interface TaskBlobs {

    /**
     * Reads a blob the task's work unit reads or the task stored.
     *
     * @throws IllegalArgumentException when it is neither
     */
    InputStream open(String blobId) throws IOException;

    /**
     * The size of a blob the task's work unit reads or the task stored.
     *
     * @throws IllegalArgumentException when it is neither
     */
    long size(String blobId);

    /**
     * The file in the worker's cache that holds a blob the task's work unit reads, for a reader that copies it (the
     * WebAssembly sandbox copies a task's input files into its own file system). Never written to.
     *
     * @throws IllegalArgumentException when the work unit does not read it
     */
    Path file(String blobId) throws IOException;

    /** Stores {@code content}; returns its id. The same bytes stored twice are one blob. */
    String store(byte[] content) throws IOException;

    /** What the task stored, as its report lists it (Success.produced). */
    List<BlobRef> produced();

    /**
     * The stored blobs leave with the result that names them: the returned action lets go of them, once the
     * coordinator acknowledged it.
     */
    Runnable handOverProduced();

    /** The task's run ended: lets go of the stored blobs no result took; the task can store no more. */
    void release();
}
