package dev.starling.worker.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.worker.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
    private static final HostPort COORDINATOR = new HostPort("coord.example.org", 7070);

    @TempDir
    Path dir;

    @Test
    void keepsTheIdentityForItsCoordinator() {
        IdentityStore store = new IdentityStore(dir.resolve("worker"));
        assertThat(store.load(COORDINATOR)).isEmpty();

        store.save(COORDINATOR, new HostIdentity(12, "s3cret"));
        store.save(COORDINATOR, new HostIdentity(13, "other"));

        assertThat(new IdentityStore(dir.resolve("worker")).load(COORDINATOR)).contains(new HostIdentity(13, "other"));
        assertThat(store.load(new HostPort("elsewhere.example.org", 7070))).isEmpty();
    }

    @Test
    void writesAtomicallyAFileOnlyItsOwnerMayRead() throws Exception {
        IdentityStore store = new IdentityStore(dir.resolve("worker"));
        store.prepare();
        store.save(COORDINATOR, new HostIdentity(12, "s3cret"));

        try (var files = Files.list(dir.resolve("worker"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("host.properties");
        }
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("worker")))).isEqualTo("rwx------");
        }
    }

    @Test
    void ignoresAFileItCannotMakeSenseOf() throws Exception {
        Files.writeString(dir.resolve("host.properties"), "coordinator=coord.example.org:7070\nhost.id=twelve\nhost.token=x\n");
        assertThat(new IdentityStore(dir).load(COORDINATOR)).isEmpty();
    }

    @Test
    void neverShowsTheTokenInText() {
        assertThat(new HostIdentity(12, "s3cret").toString()).isEqualTo("host 12");
    }
}
