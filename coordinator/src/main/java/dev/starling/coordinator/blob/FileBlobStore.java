package dev.starling.coordinator.blob;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * Blobs as files in a content-addressed directory: {@code <dir>/<first two hex digits>/<64 hex digits>}.
 * An upload is written to {@code <dir>/.incoming}, forced to disk, then renamed into place (atomic on one file
 * system), and the directory is forced too: a file under its address is always complete.
 */
@Component
class FileBlobStore implements BlobStore {
    private static final Logger log = LoggerFactory.getLogger(FileBlobStore.class);
    static final String INCOMING = ".incoming";
    /** an upload in progress writes continuously; a part file untouched this long was left by a crash */
    private static final Duration ABANDONED = Duration.ofHours(1);
    private static final int BUFFER = 64 * 1024;

    private final Path dir;

    FileBlobStore(StarlingProperties properties) {
        this.dir = properties.blobs().dir().toAbsolutePath().normalize();
        removeAbandonedParts();
    }

    @Override
    public StoredBlob put(InputStream content) throws IOException {
        Path incoming = Files.createDirectories(dir.resolve(INCOMING));
        Path part = Files.createTempFile(incoming, "upload-", ".part");
        try {
            ChunkHasher hasher = new ChunkHasher();
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = content.read(buffer)) != -1; ) {
                    hasher.update(buffer, 0, n);
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
                out.force(true);
            }
            StoredBlob stored = hasher.finish();
            Path target = path(stored.id());
            if (!Files.exists(target)) {
                boolean newDirectory = !Files.isDirectory(target.getParent());
                Files.createDirectories(target.getParent());
                // two uploads of the same bytes may race here: either rename wins, both files are the same
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                force(target.getParent());
                if (newDirectory) {
                    force(dir);
                }
            }
            return stored;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public Resource resource(String id) throws IOException {
        Path file = path(id);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "blob " + id + " is recorded but its file is missing");
        }
        return new FileSystemResource(file);
    }

    @Override
    public byte[] read(String id, long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        ByteBuffer into = ByteBuffer.wrap(bytes);
        try (FileChannel in = FileChannel.open(path(id), StandardOpenOption.READ)) {
            while (into.hasRemaining()) {
                if (in.read(into, offset + into.position()) < 0) {
                    throw new IOException("blob " + id + " ends before byte " + (offset + length));
                }
            }
        }
        return bytes;
    }

    @Override
    public void delete(String id) throws IOException {
        Files.deleteIfExists(path(id));
    }

    private Path path(String id) {
        if (!ContentAddress.isValid(id)) {
            throw new IllegalArgumentException("not a blob id: " + id); // never a path outside the directory
        }
        String hex = id.substring(ContentAddress.PREFIX.length());
        return dir.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Makes a rename or a new directory entry durable (a no-op where directories cannot be opened). */
    private static void force(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("Cannot force directory {} to disk: {}", directory, e.toString());
        }
    }

    private void removeAbandonedParts() {
        Path incoming = dir.resolve(INCOMING);
        if (!Files.isDirectory(incoming)) {
            return;
        }
        // file times are the operating system's wall clock, so this compares with it rather than the app's Clock
        Instant before = Instant.now().minus(ABANDONED);
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(incoming, "*.part")) {
            for (Path part : parts) {
                if (Files.getLastModifiedTime(part).toInstant().isBefore(before)) {
                    Files.deleteIfExists(part);
                    log.info("Removed {}, an upload a crash left unfinished", part);
                }
            }
        } catch (IOException e) {
            log.warn("Cannot clean up unfinished uploads in {}: {}", incoming, e.toString());
        }
    }
}
