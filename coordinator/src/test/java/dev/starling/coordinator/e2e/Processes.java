package dev.starling.coordinator.e2e;

import static dev.starling.coordinator.CoordinatorTest.freePort;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.SelfSigned;
import dev.starling.coordinator.TestApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real processes for end-to-end tests: the coordinator from its Boot jar, workers from the worker jar
 * (built earlier in the same reactor), each logging to a file under {@code target/e2e}.
 */
final class Processes implements AutoCloseable {
    static final Path COORDINATOR_JAR = Path.of("target", "starling-coordinator.jar");
    static final Path WORKER_JAR = Path.of("..", "worker", "target", "starling-worker.jar");

    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, String> accountKeys = new HashMap<>();
    private final String javaBinary = ProcessHandle.current().info().command().orElse("java");
    final int httpPort = freePort();
    final int grpcPort = freePort();
    /** the certificate the coordinator serves HTTP and gRPC with; null for plaintext */
    private SelfSigned tls;
    /** added to the environment of every process started (e.g. {@code DATABASE_URL}) */
    private final Map<String, String> environment = new HashMap<>();

    Processes(String testName) throws IOException {
        for (Path jar : List.of(COORDINATOR_JAR, WORKER_JAR)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " is missing: end-to-end tests run after "
                        + "`./mvnw verify` has packaged the worker and the coordinator");
            }
        }
        dir = Path.of("target", "e2e", testName);
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    /** The REST API as the admin. */
    TestApi api() {
        return anonymous().asAdmin(CoordinatorTest.ADMIN_PASSWORD);
    }

    /** The REST API without credentials (over HTTPS, trusting the certificate, when the coordinator has one). */
    TestApi anonymous() {
        return tls == null ? new TestApi(httpPort) : new TestApi("https://localhost:" + httpPort, null,
                java.net.http.HttpClient.newBuilder().sslContext(tls.clientContext()).build());
    }

    /** Serves the coordinator's HTTP and gRPC ports with this certificate; workers trust it with --coordinator-ca. */
    Processes tls(SelfSigned certificate) {
        tls = certificate;
        return this;
    }

    Path dataDir() {
        return dir.resolve("coordinator-data");
    }

    /** Sets an environment variable of every process started from now on. */
    Processes environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** A folder of the test's own, for what its processes share (created). */
    Path folder(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /**
     * Starts the coordinator with short leases and heartbeats, and waits until its API answers. Options in
     * {@code settings} ({@code --name=value}) are added, or replace the defaults of the same name.
     */
    Process coordinator(String... settings) throws IOException {
        return coordinatorNamed("coordinator", anonymous(), settings);
    }

    /**
     * Starts a coordinator logging to {@link #log}({@code name}) and waits until {@code api} (its REST API) answers;
     * for several coordinators, whose {@code settings} give each its own ports and data dir.
     */
    Process coordinatorNamed(String name, TestApi api, String... settings) throws IOException {
        Process p = start(name, coordinatorCommand(settings));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("the coordinator exited with " + p.exitValue() + "; see " + log(name));
            }
            try {
                return api.get("/api/v1/apps").status() == 200;
            } catch (UncheckedIOException e) {
                return false;
            }
        });
        return p;
    }

    /** The command line {@link #coordinator} starts a coordinator with. */
    List<String> coordinatorCommand(String... settings) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> defaults = new ArrayList<>(List.of("--server.port=" + httpPort, "--spring.grpc.server.port=" + grpcPort,
                "--starling.data-dir=" + dataDir(), "--starling.dispatch.lease=4s",
                "--starling.dispatch.heartbeat-interval=1s", "--starling.dispatch.max-wait=2s",
                "--starling.sweep.interval=200ms",
                // the workers serve each other on this machine
                "--starling.peers.private-networks=127.0.0.0/8,::1",
                "--starling.volunteers.sign-ups-per-address=0"));
        if (tls != null) {
            tls.coordinatorSettings().forEach((k, v) -> defaults.add("--" + k + "=" + v));
        }
        for (String option : defaults) {
            options.put(option.substring(0, option.indexOf('=')), option);
        }
        for (String option : settings) {
            options.put(option.substring(0, option.indexOf('=')), option);
        }
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx512m", "-jar", COORDINATOR_JAR.toString()));
        command.addAll(options.values());
        return command;
    }

    /**
     * Starts a worker as the host of a volunteer of its own (signed up here); with a certificate, trusting it
     * (unless {@code extra} asks for {@code --tls} with the system's trust store). Its settings are on its command
     * line, but for cpu-limit = 100 in its config file (a fresh work dir is a new install, which would compute gently).
     */
    Process worker(String name, String... extra) throws IOException {
        // a worker started again under its name is the same volunteer's: it comes back as the same host
        String accountKey = accountKeys.computeIfAbsent(name, n -> CoordinatorTest.signUp(anonymous(), n));
        return workerOf(accountKey, name, extra);
    }

    /** Starts a worker as a host of the volunteer whose account key is given. */
    Process workerOf(String accountKey, String name, String... extra) throws IOException {
        return workerAt("localhost:" + grpcPort, accountKey, name, extra);
    }

    /** Starts a worker of the volunteer whose account key is given, talking to the coordinator at {@code address}. */
    Process workerAt(String address, String accountKey, String name, String... extra) throws IOException {
        Path config = dir.resolve("worker.properties");
        if (!Files.exists(config)) {
            // full speed, as before new installs computed gently (50% CPU while the machine is busy): these fresh work
            // dirs are new installs, and a test's machine is always busy; a --cpu-limit given to one worker wins
            Files.writeString(config, "# end-to-end test workers: the rest is on the command line\ncpu-limit = 100\n");
        }
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx256m", "-jar", WORKER_JAR.toString(),
                "--config", config.toString(), "--coordinator", address, "--name", name, "--cores", "1",
                "--work-dir", dir.resolve(name).toString(), "--account-key", accountKey));
        if (tls != null && !List.of(extra).contains("--tls")) {
            command.addAll(List.of("--coordinator-ca", tls.certificate().toAbsolutePath().toString()));
        }
        command.addAll(List.of(extra));
        return start(name, command);
    }

    /** Starts {@code command}, its output in {@link #log}({@code name}); stopped at the end of the test. */
    Process start(String name, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        builder.environment().put("STARLING_ADMIN_PASSWORD", CoordinatorTest.ADMIN_PASSWORD);
        builder.environment().putAll(environment);
        Process p = builder.start();
        started.add(p);
        return p;
    }

    /** The work dir of the worker started as {@code name}. */
    Path workDir(String name) {
        return dir.resolve(name);
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or given back. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(40, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // a PostgreSQL orphaned by a killed coordinator that was not restarted
        Path pid = dataDir().resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim())).ifPresent(ProcessHandle::destroy);
        }
    }
}
