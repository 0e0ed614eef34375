package dev.starling.swarm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A coordinator started as a child process for the bench, on its own data dir (and so its own embedded
 * PostgreSQL) and ports, its stdout and stderr in {@code <data dir>/coordinator.log}, with an admin password of its
 * own (random) so that the bench can make a researcher's API key.
 */
final class CoordinatorProcess implements AutoCloseable {
    private static final long STOP_SECONDS = 60;
    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final String adminPassword;

    private CoordinatorProcess(Process process, Path dataDir, Path log, String adminPassword) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.adminPassword = adminPassword;
    }

    static CoordinatorProcess start(Path java, Path jar, String heap, Path dataDir, int httpPort, int grpcPort)
            throws IOException {
        return start(java, jar, heap, dataDir, httpPort, grpcPort, List.of());
    }

    /** Starts a coordinator with {@code settings} ({@code --name=value}) after the data dir and ports. */
    static CoordinatorProcess start(Path java, Path jar, String heap, Path dataDir, int httpPort, int grpcPort,
            List<String> settings) throws IOException {
        Path log = dataDir.resolve("coordinator.log");
        String adminPassword = UUID.randomUUID().toString();
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-jar", jar.toString(),
                "--starling.data-dir=" + dataDir, "--server.port=" + httpPort, "--spring.grpc.server.port=" + grpcPort,
                // the swarm's hosts sign up thousands of volunteers from this machine
                "--starling.volunteers.sign-ups-per-address=0"));
        command.addAll(settings);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("STARLING_ADMIN_PASSWORD", adminPassword);
        return new CoordinatorProcess(builder.start(), dataDir, log, adminPassword);
    }

    String adminPassword() {
        return adminPassword;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    Path log() {
        return log;
    }

    /** The embedded PostgreSQL's port: line 4 of {@code <data dir>/postgres/postmaster.pid}. */
    int postgresPort() throws BenchFailure {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return Integer.parseInt(lines.get(3).trim());
        } catch (IOException | IndexOutOfBoundsException | NumberFormatException e) {
            throw new BenchFailure("could not read the embedded PostgreSQL's port from line 4 of " + pidFile + ": " + e);
        }
    }

    /** The log's last {@code n} lines. */
    List<String> lastLogLines(int n) {
        Deque<String> last = new ArrayDeque<>(n);
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                if (last.size() == n) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(could not read " + log + ": " + e.getMessage() + ")");
        }
        return List.copyOf(last);
    }

    /** SIGTERM, up to a minute for a graceful stop, then SIGKILL. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
