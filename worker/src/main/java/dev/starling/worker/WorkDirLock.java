package dev.starling.worker;

import dev.starling.worker.support.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One worker per work dir: two would share one identity and one journal, and report each other's tasks. The lock
 * is the operating system's on {@code <work-dir>/worker.lock}; it goes with the process, however it ends.
 */
final class WorkDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private WorkDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws UncheckedIOException when another worker holds the work dir, saying what to do */
    static WorkDirLock acquire(Path workDir) {
        Path file = workDir.resolve("worker.lock");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IOException("another worker is running with this work dir; give each worker its own"
                        + " --work-dir");
            }
            return new WorkDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the work directory " + workDir + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process ends soon; the lock goes with it
        }
    }
}
