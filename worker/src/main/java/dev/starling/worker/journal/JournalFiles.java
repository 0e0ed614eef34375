package dev.starling.worker.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The journal's files: each is written whole or not at all (a temporary file is written, forced to disk and
 * renamed over the old one, then the directory is forced), and framed so that a damaged one is recognised
 * rather than misread: the magic {@code STJ1}, the payload's length, the payload, its CRC32C.
 */
final class JournalFiles {
    static final String TEMPORARY_SUFFIX = ".tmp";
    private static final int MAGIC = 0x53544a31; // "STJ1"
    private static final int FRAME_BYTES = 3 * Integer.BYTES;

    private JournalFiles() {}

    /** The bytes a payload takes on disk. */
    static long sizeOf(int payloadBytes) {
        return (long) payloadBytes + FRAME_BYTES;
    }

    /** Replaces {@code file} with {@code payload}, atomically and durably. */
    static void write(Path file, byte[] payload) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TEMPORARY_SUFFIX);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(payload.length + FRAME_BYTES)
                .putInt(MAGIC).putInt(payload.length).put(payload).putInt((int) crc.getValue()).flip();
        try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))) {
            while (frame.hasRemaining()) {
                out.write(frame);
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // a full disk must not leave half a file behind
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParent());
    }

    /**
     * The payload of {@code file}.
     *
     * @throws DamagedException when the file is not a whole journal file
     */
    static byte[] read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < FRAME_BYTES) {
            throw new DamagedException(file + " is cut short (" + bytes.length + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getInt() != MAGIC) {
            throw new DamagedException(file + " is not a journal file");
        }
        int length = in.getInt();
        if (length != bytes.length - FRAME_BYTES) {
            throw new DamagedException(file + " says it holds " + length + " bytes but holds "
                    + (bytes.length - FRAME_BYTES));
        }
        byte[] payload = new byte[length];
        in.get(payload);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        if (in.getInt() != (int) crc.getValue()) {
            throw new DamagedException(file + " fails its checksum");
        }
        return payload;
    }

    /** Makes creations, renames and deletions in {@code dir} durable; not every platform can open a directory. */
    static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort (Windows cannot open a directory)
        }
    }

    /** A journal file that exists but cannot be trusted. */
    static final class DamagedException extends IOException {
        DamagedException(String message) {
            super(message);
        }
    }
}
