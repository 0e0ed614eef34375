package dev.starling.coordinator.db;

import dev.starling.coordinator.StartupProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinator's exclusive hold on its data dir while it runs its embedded PostgreSQL there: an operating system
 * lock on {@code <data-dir>/coordinator.lock} (which also holds the holder's pid, for messages). The lock goes with
 * the process however it ends, {@code kill -9} included, so a coordinator that finds the lock free knows that a
 * PostgreSQL still running on the data dir was left by a dead one ({@link StalePostmaster}), and one that finds it
 * taken leaves everything alone.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = "coordinator.lock";
    /**
     * Data dirs locked in this JVM (tests and the demo run coordinators in one JVM). Checked before the file is
     * opened: on Linux, closing any channel of a file drops every lock this process holds on it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dataDir;
    private final FileChannel channel;

    private DataDirLock(Path dataDir, FileChannel channel) {
        this.dataDir = dataDir;
        this.channel = channel;
    }

    /** Locks {@code dataDir} (created if missing) or throws a {@link StartupProblem} saying who holds it. */
    static DataDirLock acquire(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!HELD.add(dir)) {
            throw inUse(dir, ProcessHandle.current().pid());
        }
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    long holder = holder(channel);
                    channel.close();
                    throw inUse(dir, holder);
                }
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
                return new DataDirLock(dir, channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            HELD.remove(dir);
            throw new UncheckedIOException("cannot lock the data dir " + dir, e);
        } catch (RuntimeException e) {
            HELD.remove(dir);
            throw e;
        }
    }

    private static StartupProblem inUse(Path dir, long holder) {
        return new StartupProblem("another coordinator" + (holder > 0 ? " (pid " + holder + ")" : "")
                + " is running with the data dir " + dir,
                "Stop it first, or give this one a data dir of its own (--starling.data-dir=DIR).");
    }

    /** The pid the holder wrote, or 0 when it cannot be read (it may be writing it right now). */
    private static long holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        try {
            return Long.parseLong(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Releases the data dir (the file stays: removing it would race a coordinator starting now). */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            HELD.remove(dataDir);
        }
    }
}
