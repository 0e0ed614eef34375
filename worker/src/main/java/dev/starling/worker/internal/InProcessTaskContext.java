package dev.starling.worker.internal;

import dev.starling.sdk.TaskContext;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/** The {@link TaskContext} an app sees when it runs inside the worker's JVM. */
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

    @Override
    public java.io.InputStream openBlob(String blobId) {
        throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads");
    }

    @Override
    public long blobSize(String blobId) {
        throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads");
    }

    @Override
    public String storeBlob(byte[] content) {
        throw new UnsupportedOperationException("this worker does not keep blobs yet");
    }

    BoundedOutputStream boundedOutput() {
        return output;
    }
}
