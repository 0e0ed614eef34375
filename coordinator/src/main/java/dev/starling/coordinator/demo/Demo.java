package dev.starling.coordinator.demo;

import dev.starling.coordinator.StarlingCoordinator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./starling demo}: a coordinator on an embedded PostgreSQL, three local worker processes (each the host of a
 * volunteer of its own), and a {@code primes} job submitted with a researcher's API key and followed in the terminal
 * until it succeeds. Prints the admin's password (set anew at every demo start) and the researcher's key.
 */
public final class Demo {
    private static final long TO = 1_000_000_000L;
    private static final long CHUNK = 10_000_000L;
    private static final long PRIMES_BELOW_1E9 = 50_847_534L;

    private final PrintStream out = System.out;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> workers = new ArrayList<>();
    private final String adminPassword = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private String researcherKey;
    private ConfigurableApplicationContext coordinator;
    private volatile boolean stopping;

    private Demo() {}

    /** The demo's command line: both {@code --workers=2} and {@code --workers 2}, as the worker takes them. */
    @Command(name = "starling demo", sortOptions = false, usageHelpAutoWidth = true,
            description = {"A coordinator on an embedded PostgreSQL, local workers (one volunteer each) and a sample"
                    + " primes job, followed in the terminal; prints the admin's password and a researcher's API key."
                    + " Keeps running until Ctrl-C."},
            footer = {"", "Exit codes: 0 done (or stopped with Ctrl-C: 130), 1 the job or the coordinator failed,"
                    + " 2 invalid command line."})
    static final class Options {
        @Option(names = "--exit-when-done", description = "Stop everything and exit 0 once the job has succeeded.")
        boolean exitWhenDone;

        @Option(names = "--workers", paramLabel = "N", description = "How many local workers, 2 to 16 (default: 3).")
        int workers = 3;

        @Option(names = {"--data-dir", "--starling.data-dir"}, paramLabel = "DIR",
                description = "Where the demo keeps its data and logs (default: ./starling-data/demo); one demo or"
                        + " coordinator per data dir.")
        Path dataDir = Path.of("starling-data", "demo");

        @Option(names = "--server.port", paramLabel = "PORT",
                description = "The REST API and dashboard's port, when free (default: 8080; else any free port).")
        int httpPort = 8080;

        @Option(names = "--spring.grpc.server.port", paramLabel = "PORT",
                description = "The workers' gRPC port, when free (default: 9090; else any free port).")
        int grpcPort = 9090;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        /** Parsed and checked; a {@link ParameterException} says what is wrong. */
        static CommandLine parse(String... args) {
            Options options = new Options();
            CommandLine cmd = new CommandLine(options);
            cmd.parseArgs(args);
            if (!options.help && (options.workers < 2 || options.workers > 16)) {
                throw new ParameterException(cmd, "--workers must be between 2 and 16: every work unit of the demo job"
                        + " is computed by 2 different workers");
            }
            return cmd;
        }
    }

    public static int run(String[] args) throws Exception {
        CommandLine cmd;
        try {
            cmd = Options.parse(args);
        } catch (ParameterException e) {
            System.err.println("starling demo: " + e.getMessage() + " (starling demo --help shows the options)");
            return 2;
        }
        if (cmd.isUsageHelpRequested()) {
            cmd.usage(System.out);
            return 0;
        }
        Options options = cmd.getCommand();
        String workerJar = System.getenv("STARLING_WORKER_JAR");
        if (workerJar == null || !Files.isRegularFile(Path.of(workerJar))) {
            System.err.println("starling demo: the worker jar was not found (STARLING_WORKER_JAR=" + workerJar
                    + "); run it through ./starling demo, which builds it");
            return 1;
        }
        Demo demo = new Demo();
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "demo-shutdown"));
        try {
            return demo.go(options.dataDir, options.workers, free(options.httpPort), free(options.grpcPort),
                    Path.of(workerJar), options.exitWhenDone);
        } catch (Exception e) {
            if (demo.stopping) {
                return 130; // Ctrl-C while the job ran: the shutdown hook is stopping everything
            }
            throw e;
        }
    }

    private int go(Path dataDir, int workerCount, int httpPort, int grpcPort, Path workerJar, boolean exitWhenDone)
            throws Exception {
        Files.createDirectories(dataDir);
        out.println("Starting the coordinator (embedded PostgreSQL in " + dataDir.resolve("postgres")
                + "; log in " + dataDir.resolve("coordinator.log") + ") ...");
        CompletableFuture<Integer> grpcBound = new CompletableFuture<>();
        SpringApplication app = new SpringApplication(StarlingCoordinator.class);
        app.setMainApplicationClass(StarlingCoordinator.class); // its log names the application, not CoordinatorMain
        app.addListeners(event -> {
            if (event instanceof GrpcServerStartedEvent started) {
                grpcBound.complete(started.getPort());
            }
        });
        try {
            coordinator = app.run("--server.port=" + httpPort, "--spring.grpc.server.port=" + grpcPort,
                    "--starling.data-dir=" + dataDir, "--logging.file.name=" + dataDir.resolve("coordinator.log"),
                    "--logging.threshold.console=WARN", "--spring.main.banner-mode=off",
                    "--starling.admin.password=" + adminPassword, "--starling.admin.reset-password=true",
                    // the demo's workers serve each other on this machine
                    "--starling.peers.private-networks=127.0.0.0/8,::1",
                    // one volunteer per worker, all signed up from this machine, again at every start
                    "--starling.volunteers.sign-ups-per-address=0");
        } catch (RuntimeException e) {
            // Spring Boot has said why on the console: in one line for a setup problem (another demo or coordinator
            // on this data dir), with the stack trace otherwise
            return stopping ? 130 : 1;
        }
        int grpc = grpcBound.get(60, TimeUnit.SECONDS);
        String base = "http://localhost:" + httpPort;
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
        researcherKey = json.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/researchers"))
                .header("Authorization", admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"demo researcher\"}")).build())).get("key").asString();
        out.println("Admin:         admin / " + adminPassword + "  (dashboard " + base + "/dashboard)");
        out.println("API key:       " + researcherKey + "  (a researcher's: Authorization: Bearer <key>)");

        out.println("Starting " + workerCount + " workers (logs in " + dataDir + "/worker-N.log) ...");
        String java = ProcessHandle.current().info().command().orElse("java");
        // the demo's workers take their settings from here, not from the volunteer's own config file
        Path config = Files.writeString(dataDir.resolve("demo-worker.properties"),
                "# The demo's workers: every setting is on their command line.\n");
        long run = System.currentTimeMillis();
        for (int i = 1; i <= workerCount; i++) {
            Path log = dataDir.resolve("worker-" + i + ".log");
            // one volunteer per worker: a quorum is of distinct volunteers
            String accountKey = json.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/volunteers"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Demo volunteer " + i + "\",\"email\":\"demo-" + i
                            + "-" + run + "@demo.invalid\"}")).build())).get("accountKey").asString();
            ProcessBuilder worker = new ProcessBuilder(java, "-jar", workerJar.toString(), "--config", config.toString(), "--coordinator",
                    // the demo's workers compute at full speed, not at a new install's gentle limit
                    "localhost:" + grpc, "--name", "demo-worker-" + i, "--cores", "1", "--cpu-limit", "100", "--work-dir",
                    dataDir.resolve("worker-" + i).toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            worker.environment().put("STARLING_ACCOUNT_KEY", accountKey); // not on the command line, which anyone sees
            workers.add(worker.start());
        }

        String body = "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + TO + ",\"chunkSize\":" + CHUNK
                + "},\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}";
        JsonNode job = json.readTree(send(researcher(base + "/api/v1/jobs")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build()));
        long id = job.get("id").asLong();
        out.println("Submitted job " + id + ": count the primes below 10^9 (" + TO / CHUNK
                + " work units, each computed by 2 different workers)");
        out.println("Watch it live on the dashboard: " + base + "/dashboard/jobs/" + id);

        JsonNode state = followProgress(base, id);
        if (!state.get("state").asString().equals("SUCCEEDED")) {
            out.println("Job " + id + " ended " + state.get("state").asString() + ": " + state.path("error").asString());
            return 1;
        }
        JsonNode result = json.readTree(send(researcher(base + "/api/v1/jobs/" + id + "/result").build()));
        long count = result.get("count").asLong();
        out.println();
        out.println("Result: " + result + (count == PRIMES_BELOW_1E9 ? "  (correct: pi(10^9) = 50,847,534)" : "  (WRONG!)"));
        out.println();
        out.println("REST API:      " + base + "/api/v1/jobs/" + id + "   (with the API key)");
        out.println("Work units:    " + base + "/api/v1/jobs/" + id + "/workunits");
        out.println("Result:        " + base + "/api/v1/jobs/" + id + "/result");
        out.println("Hosts:         " + base + "/api/v1/hosts   (the admin's)");
        out.println("Leaderboard:   " + base + "/api/v1/leaderboard");
        out.println("API docs:      " + base + "/swagger-ui.html");
        out.println("Dashboard:     " + base + "/dashboard   (admin / " + adminPassword + ")");
        out.println("API key:       " + researcherKey);
        out.println("Worker gRPC:   localhost:" + grpc);
        if (exitWhenDone) {
            stop();
            return count == PRIMES_BELOW_1E9 ? 0 : 1;
        }
        out.println();
        out.println("The platform keeps running; submit more jobs to the REST API. Press Ctrl-C to stop.");
        Thread.currentThread().join();
        return 0;
    }

    private JsonNode followProgress(String base, long id) throws Exception {
        String uri = base + "/api/v1/jobs/" + id;
        JsonNode state = json.readTree(send(researcher(uri).build()));
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("job " + id).setInitialMax(TO / CHUNK)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" WUs", 1).setUpdateIntervalMillis(250).build()) {
            while (!isFinal(state.get("state").asString())) {
                Thread.sleep(250);
                state = json.readTree(send(researcher(uri).build()));
                JsonNode wu = state.get("workUnits");
                bar.maxHint(Math.max(1, wu.get("total").asLong()));
                bar.stepTo(wu.get("validated").asLong());
                bar.setExtraMessage(state.get("state").asString());
            }
            bar.stepTo(state.get("workUnits").get("validated").asLong());
        }
        return state;
    }

    private static boolean isFinal(String state) {
        return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
    }

    /** A request with the demo researcher's API key. */
    private HttpRequest.Builder researcher(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).header("Authorization", "Bearer " + researcherKey);
    }

    private String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode()
                    + ": " + response.body());
        }
        return response.body();
    }

    private synchronized void stop() {
        stopping = true;
        for (Process p : workers) {
            p.destroy(); // SIGTERM: the worker gives back what it cannot finish
        }
        for (Process p : workers) {
            try {
                if (!p.waitFor(40, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
        if (coordinator != null) {
            coordinator.close();
            coordinator = null;
        }
    }

    /** The port if it is free, else any free port (the demo must run next to something on 8080). */
    private static int free(int preferred) throws IOException {
        if (preferred != 0) {
            try (ServerSocket s = new ServerSocket(preferred)) {
                s.setReuseAddress(true);
                return preferred;
            } catch (IOException taken) {
                // fall through to any free port
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
