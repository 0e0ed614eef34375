package dev.starling.worker.tasks;

import dev.starling.sdk.TaskContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The {@link TaskContext} an app sees when it runs inside the worker's JVM; blobs live in the worker's cache. */
final class InProcessTaskContext implements TaskContext {
    private final RunningTask task;
    private final BoundedOutputStream output;
    private final Clock clock;
    private final Duration checkpointInterval;
    private final TaskPace pace;

    InProcessTaskContext(RunningTask task, int maxOutputBytes, Clock clock, Duration checkpointInterval, TaskPace pace) {
        this.task = task;
        this.output = new BoundedOutputStream(maxOutputBytes);
        this.clock = clock;
        this.checkpointInterval = checkpointInterval;
        this.pace = pace;
    }

    /** Also where the task waits while suspended and is paced to the CPU limit ({@link TaskPace}). */
    @Override
    public void progress(double fractionDone) {
        task.progress(fractionDone);
        pace.step();
    }

    @Override
    public boolean isCancelled() {
        pace.step();
        return task.isCancelled();
    }

    @Override
    public Optional<byte[]> checkpoint() {
        return task.checkpoint();
    }

    /** On disk (in the journal) when this returns; see {@link RunningTask#saveCheckpoint}. */
    @Override
    public void saveCheckpoint(byte[] state) {
        task.saveCheckpoint(Objects.requireNonNull(state, "state"), clock.instant());
    }

    @Override
    public boolean checkpointDue() {
        pace.step();
        return task.checkpointDue(clock.instant(), checkpointInterval);
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
