package dev.starling.worker.internal;

import dev.starling.sdk.TaskContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/** The {@link TaskContext} an app sees when it runs inside the worker's JVM; blobs live in the worker's cache. */
final class InProcessTaskContext implements TaskContext {
    private final RunningTask task;
    private final BoundedOutputStream output;

    InProcessTaskContext(RunningTask task, int maxOutputBytes) {
        this.task = task;
        this.output = new BoundedOutputStream(maxOutputBytes);
    }

    @Override
    public void progress(double fractionDone) {
        task.progress(fractionDone);
    }

    @Override
    public boolean isCancelled() {
        return task.isCancelled();
    }

    @Override
    public Optional<byte[]> checkpoint() {
        return task.checkpoint();
    }

    @Override
    public void saveCheckpoint(byte[] state) {
        task.saveCheckpoint(Objects.requireNonNull(state, "state"));
    }

    @Override
    public OutputStream output() {
        return output;
    }

    /** Reads the cached copy, fetched and verified before {@code compute} was called. */
    @Override
    public InputStream openBlob(String blobId) throws IOException {
        return task.blobs().open(Objects.requireNonNull(blobId, "blobId"));
    }

    @Override
    public long blobSize(String blobId) {
        return task.blobs().size(Objects.requireNonNull(blobId, "blobId"));
    }

    /** Writes the blob into the worker's cache, where peers fetch it once a next stage reads it. */
    @Override
    public String storeBlob(byte[] content) throws IOException {
        return task.blobs().store(Objects.requireNonNull(content, "content"));
    }

    BoundedOutputStream boundedOutput() {
        return output;
    }
}
