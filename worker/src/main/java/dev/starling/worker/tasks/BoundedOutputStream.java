package dev.starling.worker.tasks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Collects a task's output in memory, up to a limit; writing past the limit fails and is remembered. */
final class BoundedOutputStream extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int limit;
    private boolean overflowed;

    BoundedOutputStream(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        ensureRoom(1);
        bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        ensureRoom(len);
        bytes.write(b, off, len);
    }

    private void ensureRoom(int len) throws IOException {
        if (overflowed || len > limit - bytes.size()) {
            overflowed = true;
            throw new IOException(tooLargeMessage());
        }
    }

    synchronized boolean overflowed() {
        return overflowed;
    }

    synchronized byte[] toByteArray() {
        return bytes.toByteArray();
    }

    String tooLargeMessage() {
        return "the output is larger than the " + Sizes.format(limit) + " a worker may report inline";
    }
}
