package dev.starling.worker.peer.cache;

import dev.starling.proto.v1.Manifest;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.UUID;

/**
 * The cache directory's layout, and the few writes that make it crash-safe. A blob {@code sha256:<hex>}
 * is up to three files, named by the hex digits:
 * <ul>
 * <li>{@code <hex>.manifest}: its {@link Manifest} (size and leaf hashes);</li>
 * <li>{@code <hex>.data}: its bytes, at their offsets (sparse while it is being fetched);</li>
 * <li>{@code <hex>.have}: only while it is partial, its bitfield of verified chunks.</li>
 * </ul>
 * A chunk's bytes are forced to disk before its bit is set, and the bitfield is created before the
 * manifest, so whatever a crash leaves behind says no more than what is on disk: a manifest without a
 * bitfield and with a full-length data file is a complete blob; anything else incomplete is partial or
 * is swept. Files ending in {@code .tmp} are writes that never finished.
 */
final class BlobFiles {
    static final String MANIFEST = ".manifest";
    static final String DATA = ".data";
    static final String HAVE = ".have";
    static final String TMP = ".tmp";

    private final Path dir;

    BlobFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path manifest(String blobId) {
        return dir.resolve(key(blobId) + MANIFEST);
    }

    Path data(String blobId) {
        return dir.resolve(key(blobId) + DATA);
    }

    Path have(String blobId) {
        return dir.resolve(key(blobId) + HAVE);
    }

    /** The blob id a cache file belongs to, when its name is one the cache writes. */
    static Optional<String> blobIdOf(Path file) {
        String name = file.getFileName().toString();
        for (String suffix : new String[] {MANIFEST, DATA, HAVE}) {
            if (name.endsWith(suffix)) {
                String id = ContentAddress.PREFIX + name.substring(0, name.length() - suffix.length());
                return ContentAddress.isValid(id) ? Optional.of(id) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String key(String blobId) {
        return blobId.substring(ContentAddress.PREFIX.length());
    }

    /** A fresh temporary file in the cache directory (same file system, so it can be renamed into place). */
    Path newTemp() {
        return dir.resolve(UUID.randomUUID() + TMP);
    }

    /** Lays out a partial blob: an empty bitfield first, then the manifest, then a sparse data file. */
    void createPartial(BlobManifest manifest) throws IOException {
        writeAtomically(have(manifest.blobId()), new byte[Bitfields.byteCount(manifest.chunkCount())]);
        writeAtomically(manifest(manifest.blobId()), manifest.toProto().toByteArray());
        try (RandomAccessFile data = new RandomAccessFile(data(manifest.blobId()).toFile(), "rw")) {
            data.setLength(manifest.size());
        }
    }

    /** Makes a fully written temporary file the blob's data, with its manifest. */
    void installComplete(BlobManifest manifest, Path tempData) throws IOException {
        writeAtomically(manifest(manifest.blobId()), manifest.toProto().toByteArray());
        move(tempData, data(manifest.blobId()));
        syncDirectory();
    }

    Manifest readManifest(String blobId) throws IOException {
        return Manifest.parseFrom(Files.readAllBytes(manifest(blobId)));
    }

    /** Writes a verified chunk at its offset and forces it to disk (before its bit may be set). */
    void writeChunk(String blobId, long offset, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(data(blobId), StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += out.write(buffer, position);
            }
            out.force(false);
        }
    }

    /**
     * Records one byte of the bitfield. A one-byte write is all or nothing, and losing it to a crash only
     * loses the knowledge that a chunk was verified (it is fetched again), so it is not forced.
     */
    void writeHaveByte(String blobId, int byteIndex, byte value) throws IOException {
        try (FileChannel out = FileChannel.open(have(blobId), StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(new byte[] {value}), byteIndex);
        }
    }

    byte[] readHave(String blobId) throws IOException {
        return Files.readAllBytes(have(blobId));
    }

    /** The blob became complete: without its bitfield, the files say so. */
    void markComplete(String blobId) throws IOException {
        Files.deleteIfExists(have(blobId));
    }

    byte[] read(String blobId, long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        try (FileChannel in = FileChannel.open(data(blobId), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = in.read(buffer, position);
                if (n < 0) {
                    throw new IOException("the data file of " + blobId + " ends before byte " + position);
                }
                position += n;
            }
        }
        return bytes;
    }

    /** Deletes every file of the blob; the bitfield last, so that a crash never leaves a blob looking complete. */
    void delete(String blobId) throws IOException {
        Files.deleteIfExists(manifest(blobId));
        Files.deleteIfExists(data(blobId));
        Files.deleteIfExists(have(blobId));
    }

    /** Records a use, so that the least recently used order survives a restart. Best effort. */
    void touch(String blobId, long epochMillis) {
        try {
            Files.setLastModifiedTime(data(blobId), FileTime.fromMillis(epochMillis));
        } catch (NoSuchFileException gone) {
            // evicted meanwhile
        } catch (IOException e) {
            // the order is a hint; losing it costs nothing but a less apt eviction after a restart
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = newTemp();
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        move(tmp, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: not every platform can open a directory
        }
    }
}
