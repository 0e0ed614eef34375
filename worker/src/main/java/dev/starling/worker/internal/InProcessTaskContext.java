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

    BoundedOutputStream boundedOutput() {
        return output;
    }
}
