package dev.starling.swarm.bench;

import dev.starling.swarm.Endpoint;
import dev.starling.swarm.ExitCodes;
import dev.starling.swarm.Swarm;
import dev.starling.swarm.SwarmException;
import dev.starling.swarm.SwarmReport;
import dev.starling.swarm.internal.CoordinatorApi;
import dev.starling.swarm.internal.Numbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code starling bench}: a coordinator of its own (child process, fresh embedded PostgreSQL), pgbench on that
 * PostgreSQL for the disk's commit rate, then a swarm with a checksum job of its own (or a trivial deployed app's),
 * quorum 2; the RESULT line
 * when the window closes, HEAP lines at the chosen progress points, the CHECK lines after the drain.
 */
public final class Bench {
    private static final Duration HEALTH_WAIT = Duration.ofMinutes(3);
    private static final int LOG_TAIL = 30;

    /**
     * @param heap the coordinator's {@code -Xmx}, e.g. {@code 512m}
     * @param pgbenchSeconds how long pgbench runs; 0 skips it
     * @param heapAt validated counts at which to measure the coordinator's heap
     * @param keep keep the data dir (database and log) instead of deleting it
     * @param deployed the job is a trivial deployed (WebAssembly) app's rather than the checksum app's
     *     ({@link Swarm.Options#deployed})
     * @param strategy how the swarm's colluding hosts collude ({@link Swarm.Options#strategy})
     * @param colludeFraction the fraction of hosts that collude
     * @param cores tasks each simulated host asks for at once ({@link Swarm.Options#cores})
     * @param coordinatorSettings more settings for the bench's coordinator ({@code --starling.x=y}), after its own
     */
    public record Settings(int hosts, Duration duration, Duration warmup, Duration taskTime, long workUnits, String heap,
            int pgbenchSeconds, List<Long> heapAt, boolean keep, boolean deployed, Swarm.Strategy strategy,
            double colludeFraction, int cores, List<String> coordinatorSettings) {

        public Settings(int hosts, Duration duration, Duration warmup, Duration taskTime, long workUnits, String heap,
                int pgbenchSeconds, List<Long> heapAt, boolean keep, boolean deployed) {
            this(hosts, duration, warmup, taskTime, workUnits, heap, pgbenchSeconds, heapAt, keep, deployed,
                    Swarm.Strategy.NONE, 0, 4, List.of());
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Consumer<String> progress;

    public Bench(Settings settings, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.progress = line -> {
            err.println(line);
            err.flush();
        };
    }

    /** {@code RESULT validated_wu_per_s=... pgbench_tps=...}, numbers with at most one decimal. */
    public static String resultLine(SwarmReport.Figures f, double pgbenchTps) {
        return "RESULT validated_wu_per_s=" + Numbers.format(f.validatedWuPerSecond())
                + " results_per_s=" + Numbers.format(f.resultsPerSecond())
                + " request_work_p50_ms=" + Numbers.format(f.requestWorkP50Ms())
                + " request_work_p99_ms=" + Numbers.format(f.requestWorkP99Ms())
                + " hosts=" + f.hosts()
                + " duration_s=" + Numbers.format(f.windowSeconds())
                + " pgbench_tps=" + Numbers.format(pgbenchTps);
    }

    public int run() {
        if (settings.pgbenchSeconds() > 0) {
            Optional<String> missing = PgBench.missing();
            if (missing.isPresent()) {
                err.println("starling bench: " + missing.get());
                return ExitCodes.INVALID_INPUT;
            }
        }
        Path jar = coordinatorJar();
        if (!Files.isRegularFile(jar)) {
            err.println("starling bench: the coordinator's jar " + jar + " does not exist; build it (./mvnw -B -q"
                    + " -DskipTests package) or run the bench through ./starling bench, which does");
            return ExitCodes.INVALID_INPUT;
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jcmd = javaHome.resolve("bin").resolve("jcmd");
        List<Long> heapAt = settings.heapAt();
        if (!heapAt.isEmpty() && !Files.isExecutable(jcmd)) {
            progress.accept("bench: " + jcmd + " not found (a JRE, not a JDK?); no HEAP lines");
            heapAt = List.of();
        }
        Path dir;
        int httpPort;
        int grpcPort;
        CoordinatorProcess coordinator;
        try {
            dir = Files.createTempDirectory("starling-bench-");
            httpPort = freePort();
            grpcPort = freePort();
            coordinator = CoordinatorProcess.start(javaHome.resolve("bin").resolve("java"), jar, settings.heap(), dir,
                    httpPort, grpcPort, settings.coordinatorSettings());
        } catch (IOException e) {
            err.println("starling bench: could not start the coordinator: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        Thread cleanup = new Thread(() -> {
            coordinator.close();
            removeOrKeep(dir);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return run(coordinator, dir, httpPort, grpcPort, new HeapProbe(jcmd, coordinator.pid()), heapAt);
        } finally {
            progress.accept("bench: stopping the coordinator");
            coordinator.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
                removeOrKeep(dir);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs and cleans up
            }
        }
    }

    private int run(CoordinatorProcess coordinator, Path dir, int httpPort, int grpcPort, HeapProbe probe,
            List<Long> heapAt) {
        URI apiBase = URI.create("http://localhost:" + httpPort);
        CoordinatorApi anonymous = new CoordinatorApi(List.of(apiBase), Duration.ofSeconds(60), null);
        progress.accept("bench: coordinator pid " + coordinator.pid() + " (-Xmx" + settings.heap() + ") on ports "
                + httpPort + " (REST) and " + grpcPort + " (gRPC); data and log in " + dir);
        try {
            waitUntilHealthy(coordinator, anonymous, line -> progress.accept("bench: " + line));
            String apiKey = anonymous.createResearcher("bench", "admin", coordinator.adminPassword());
            CoordinatorApi api = new CoordinatorApi(List.of(apiBase), Duration.ofSeconds(60), apiKey);
            double tps = Double.NaN;
            if (settings.pgbenchSeconds() > 0) {
                tps = PgBench.run(coordinator.postgresPort(), settings.pgbenchSeconds(), dir.resolve("pgbench.log"),
                        progress);
                progress.accept("bench: pgbench: " + Numbers.format(tps) + " tps");
            }
            double pgbenchTps = tps;
            AtomicReference<HeapWatcher> watcher = new AtomicReference<>();
            Swarm.Options options = Swarm.Options.builder()
                    .coordinators(List.of(new Endpoint("localhost", grpcPort)))
                    .api(List.of(apiBase))
                    .apiKey(apiKey)
                    .hosts(settings.hosts())
                    .duration(settings.duration())
                    .warmup(settings.warmup())
                    .taskTime(settings.taskTime())
                    .submit(settings.workUnits())
                    .quorum(2)
                    .deployed(settings.deployed())
                    .strategy(settings.strategy())
                    .colludeFraction(settings.colludeFraction())
                    .cores(settings.cores())
                    .progress(progress)
                    .listener(new Swarm.Listener() {
                        @Override
                        public void jobReady(long jobId) {
                            if (!heapAt.isEmpty()) {
                                watcher.set(new HeapWatcher(api, jobId, heapAt, probe, out, progress).start());
                            }
                        }

                        @Override
                        public void windowClosed(SwarmReport.Figures figures) {
                            out.println(resultLine(figures, pgbenchTps));
                            out.flush();
                        }
                    })
                    .build();
            SwarmReport report;
            try {
                report = Swarm.run(options);
            } finally {
                if (watcher.get() != null) {
                    watcher.get().close();
                }
            }
            if (report.outcome() != null) {
                out.println(report.outcome().line());
            }
            report.checks().forEach(c -> out.println(c.line()));
            out.flush();
            return report.ok() ? ExitCodes.OK : ExitCodes.FAILED;
        } catch (BenchFailure | SwarmException | CoordinatorApi.ApiException e) {
            err.println("starling bench: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (IllegalArgumentException e) {
            err.println("starling bench: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    /** Waits until the coordinator answers its health check; says how it goes every 10 s. */
    static void waitUntilHealthy(CoordinatorProcess coordinator, CoordinatorApi api, Consumer<String> say)
            throws BenchFailure {
        long start = System.nanoTime();
        long deadline = start + HEALTH_WAIT.toNanos();
        long nextSay = start + Duration.ofSeconds(10).toNanos();
        while (!api.healthy()) {
            if (!coordinator.isAlive()) {
                throw new BenchFailure("the coordinator exited with code " + coordinator.exitValue()
                        + " before it was ready; the last " + LOG_TAIL + " lines of " + coordinator.log() + ":\n"
                        + String.join("\n", coordinator.lastLogLines(LOG_TAIL)));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BenchFailure("the coordinator was not healthy within " + HEALTH_WAIT.toMinutes()
                        + " min; the last " + LOG_TAIL + " lines of " + coordinator.log() + ":\n"
                        + String.join("\n", coordinator.lastLogLines(LOG_TAIL)));
            }
            if (System.nanoTime() - nextSay > 0) {
                say.accept("waiting for the coordinator to be healthy ("
                        + (System.nanoTime() - start) / 1_000_000_000L + " s)");
                nextSay += Duration.ofSeconds(10).toNanos();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchFailure("interrupted while waiting for the coordinator");
            }
        }
        say.accept("coordinator healthy after " + (System.nanoTime() - start) / 1_000_000L + " ms");
    }

    /** {@code STARLING_COORDINATOR_JAR} (set by the launcher), else {@code coordinator/target/starling-coordinator.jar}. */
    static Path coordinatorJar() {
        String fromEnv = System.getenv("STARLING_COORDINATOR_JAR");
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv)
                : Path.of("coordinator", "target", "starling-coordinator.jar");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void removeOrKeep(Path dir) {
        if (settings.keep()) {
            progress.accept("bench: kept " + dir + " (coordinator.log, pgbench.log, postgres/)");
            return;
        }
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            progress.accept("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
