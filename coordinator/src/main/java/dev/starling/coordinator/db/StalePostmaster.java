package dev.starling.coordinator.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a {@code kill -9} of the coordinator, the embedded PostgreSQL it started keeps running on the
 * data directory and a new start would fail. This finds that server through {@code postmaster.pid} and
 * stops it (SIGTERM: PostgreSQL's smart shutdown; its only clients died with the coordinator). Called only
 * with the data dir locked ({@link DataDirLock}): a running coordinator's PostgreSQL is never taken for a stale one.
 */
final class StalePostmaster {
    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);

    private StalePostmaster() {}

    static void stopIfRunning(Path dataDir, Duration wait) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return; // unreadable: PostgreSQL itself will judge the file at start
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || !isPostgres(process.get())) {
            return; // stale file from a crash of the machine: PostgreSQL removes it itself
        }
        log.warn("A PostgreSQL (pid {}) left running by an earlier coordinator holds {}; stopping it", pid, dataDir);
        process.get().destroy();
        try {
            process.get().onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL pid " + pid + " on " + dataDir + " did not stop within "
                    + wait.toSeconds() + " s; stop it by hand (kill " + pid + ") and start again", e);
        }
    }

    private static boolean isPostgres(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("postgres") || c.contains("/postgres")).orElse(true);
    }
}
