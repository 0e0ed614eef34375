package dev.starling.worker.session;

import dev.starling.worker.config.HostPort;
import dev.starling.worker.support.IoErrors;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Keeps the host's identity in {@code <work-dir>/host.properties}, together with the coordinator it
 * belongs to (a token is only ever sent back to the coordinator that issued it). Writes are atomic:
 * a temporary file is written, forced to disk and renamed over the old one, so a crash leaves either the
 * old identity or the new one. Where the file system is POSIX, only the owner may read the file.
 */
public final class IdentityStore {
    static final String FILE_NAME = "host.properties";
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path workDir;
    private final Path file;
    private final boolean posix;

    public IdentityStore(Path workDir) {
        this.workDir = workDir;
        this.file = workDir.resolve(FILE_NAME);
        this.posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && workDir.getFileSystem().equals(FileSystems.getDefault());
    }

    Path file() {
        return file;
    }

    /** Whether this work dir holds a host identity, of any coordinator: whether a worker registered from it before. */
    public boolean stored() {
        return Files.exists(file);
    }

    /** Creates the work directory (only its owner may enter it) and checks that it can be written. */
    public void prepare() {
        try {
            createWorkDir();
            if (!Files.isWritable(workDir)) {
                throw new IOException("it is not writable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the work directory " + workDir + ": " + IoErrors.describe(e), e);
        }
    }

    /** The identity stored for {@code coordinator}; empty when there is none, or it belongs to another coordinator. */
    Optional<HostIdentity> load(HostPort coordinator) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String id = p.getProperty("host.id");
        String token = p.getProperty("host.token");
        if (id == null || token == null || token.isBlank() || !coordinator.toString().equals(p.getProperty("coordinator"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HostIdentity(Long.parseLong(id.trim()), token.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Replaces the stored identity, atomically. */
    void save(HostPort coordinator, HostIdentity identity) {
        Properties p = new Properties();
        p.setProperty("coordinator", coordinator.toString());
        p.setProperty("host.id", Long.toString(identity.hostId()));
        p.setProperty("host.token", identity.token());
        StringWriter text = new StringWriter();
        try {
            p.store(text, "Starling worker identity. Keep it secret: the token lets anyone act as this host.");
            createWorkDir();
            Path tmp = workDir.resolve(FILE_NAME + ".tmp");
            Files.deleteIfExists(tmp);
            try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly(OWNER_ONLY_FILE))) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            move(tmp);
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void createWorkDir() throws IOException {
        if (!Files.isDirectory(workDir)) {
            Path parent = workDir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(workDir, ownerOnly(OWNER_ONLY_DIR));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // created meanwhile: fine
            }
        }
    }

    private void move(Path tmp) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable; not every platform can open a directory, which is fine. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(workDir, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    private FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
