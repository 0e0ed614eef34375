package dev.starling.swarm.bench;

import dev.starling.swarm.ExitCodes;
import dev.starling.swarm.internal.CoordinatorApi;
import dev.starling.swarm.internal.Numbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code starling bench-p2p}: how long one blob takes to reach N workers that all need it at once, against the
 * fluid-model lower bound of Kumar and Ross (2006) for distributing a file of F bytes from a server of upload
 * rate u_s to N peers of upload rates u_i and download rates d_i: {@code max(F/u_s, F/d_min, N*F/(u_s+sum u_i))}.
 *
 * <p>A coordinator of its own (upload capped at u_s) and N real worker processes (upload capped at u; download
 * uncapped, so the F/d_min term is loopback speed and taken as 0) run a {@code wordcount} job with N map work
 * units: each map work unit reads the whole input. The distribution time runs from the first worker starting to
 * fetch to the last one holding the blob, read from the workers' logs ("Fetched blob ... in N ms").
 */
final class DistributionBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern FETCHED = Pattern.compile(
            "^(\\S+) .*Fetched blob (sha256:[0-9a-f]{64}) \\(.*\\) in (\\d+) ms: .*$");
    private static final Duration WAIT = Duration.ofMinutes(10);

    /**
     * @param workers how many workers fetch the blob
     * @param sizeBytes the blob's size
     * @param workerUpload each worker's upload cap, bytes/s
     * @param coordinatorUpload the coordinator's upload cap, bytes/s
     */
    record Settings(int workers, long sizeBytes, long workerUpload, long coordinatorUpload, boolean keep) {}

    /** What one run measured. */
    record Figures(double seconds, double boundSeconds, long fromCoordinator, long fromPeers) {
        double ratio() {
            return seconds / boundSeconds;
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final HttpClient http = HttpClient.newHttpClient();
    private String authorization; // the admin's, who may make every call

    DistributionBench(Settings settings, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    /** The Kumar-Ross bound in seconds, downloads uncapped. */
    static double bound(int n, long size, long serverUpload, long peerUpload) {
        return Math.max((double) size / serverUpload, (double) n * size / (serverUpload + (double) n * peerUpload));
    }

    int run() {
        Path coordinatorJar = Bench.coordinatorJar();
        Path workerJar = workerJar();
        for (Path jar : List.of(coordinatorJar, workerJar)) {
            if (!Files.isRegularFile(jar)) {
                err.println("starling bench-p2p: " + jar + " does not exist; build it (./mvnw -B -q -DskipTests package)"
                        + " or run the bench through ./starling bench-p2p, which does");
                return ExitCodes.INVALID_INPUT;
            }
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> workers = new ArrayList<>();
        Path dir = null;
        CoordinatorProcess coordinator = null;
        try {
            dir = Files.createTempDirectory("starling-bench-p2p-");
            int httpPort = Bench.freePort();
            int grpcPort = Bench.freePort();
            coordinator = CoordinatorProcess.start(java, coordinatorJar, "512m", dir, httpPort, grpcPort,
                    List.of("--starling.peers.upload-rate=" + settings.coordinatorUpload() + "B",
                            "--starling.volunteers.anonymous-hosts=true", // the bench's workers need no accounts
                            "--starling.peers.private-networks=127.0.0.0/8,::1")); // and serve each other here
            authorization = "Basic " + Base64.getEncoder().encodeToString(("admin:" + coordinator.adminPassword())
                    .getBytes(StandardCharsets.UTF_8));
            URI api = URI.create("http://localhost:" + httpPort);
            say("coordinator on ports " + httpPort + "/" + grpcPort + ", upload capped at "
                    + mib(settings.coordinatorUpload()) + " MiB/s; data and logs in " + dir);
            Bench.waitUntilHealthy(coordinator, new CoordinatorApi(List.of(api), Duration.ofSeconds(10), null), this::say);
            String blob = upload(api, corpus(settings.sizeBytes()));
            say("uploaded " + blob + " (" + mib(settings.sizeBytes()) + " MiB)");
            // the workers' settings are all on their command lines, none from a volunteer's config file
            Path config = Files.writeString(dir.resolve("worker.properties"), "# bench-p2p workers\n");
            for (int i = 0; i < settings.workers(); i++) {
                String name = "p2p-" + i;
                workers.add(new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", workerJar.toString(),
                        "--config", config.toString(), "--coordinator", "localhost:" + grpcPort, "--name", name, "--cores", "1",
                        "--work-dir", dir.resolve(name).toString(), "--upload-rate", settings.workerUpload() + "B",
                        "--cpu-limit", "100") // full speed, not a new install's gentle limit
                        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start());
            }
            awaitUntil(() -> get(api, "/api/v1/hosts?size=500").get("items").size() == settings.workers(),
                    settings.workers() + " workers registered");
            say(settings.workers() + " workers registered, each uploading at most " + mib(settings.workerUpload()) + " MiB/s");
            long job = post(api, "/api/v1/jobs", """
                    {"app": "wordcount", "params": {"input": "%s", "mapTasks": %d, "reducers": 1},
                     "redundancy": {"quorum": 1, "initialReplicas": 1}}""".formatted(blob, settings.workers()))
                    .get("id").asLong();
            awaitUntil(() -> get(api, "/api/v1/jobs/" + job).get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED"),
                    "job " + job + " finished");
            JsonNode view = get(api, "/api/v1/jobs/" + job);
            if (!view.get("state").asString().equals("SUCCEEDED")) {
                err.println("starling bench-p2p: job " + job + " ended " + view);
                return ExitCodes.FAILED;
            }
            Figures f = measure(dir, blob, view.get("transfer"));
            out.println("RESULT workers=" + settings.workers() + " size_mib=" + mib(settings.sizeBytes())
                    + " worker_upload_mib_s=" + mib(settings.workerUpload())
                    + " coordinator_upload_mib_s=" + mib(settings.coordinatorUpload())
                    + " distribution_s=" + Numbers.format(f.seconds()) + " bound_s=" + Numbers.format(f.boundSeconds())
                    + " ratio=" + String.format("%.2f", f.ratio())
                    + " from_coordinator_x=" + String.format("%.2f", (double) f.fromCoordinator() / settings.sizeBytes())
                    + " from_peers_x=" + String.format("%.2f", (double) f.fromPeers() / settings.sizeBytes()));
            out.flush();
            return ExitCodes.OK;
        } catch (BenchFailure e) {
            err.println("starling bench-p2p: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (IOException | UncheckedIOException e) {
            err.println("starling bench-p2p: " + e.getMessage());
            return ExitCodes.FAILED;
        } finally {
            workers.forEach(Process::destroy);
            for (Process w : workers) {
                try {
                    if (!w.waitFor(30, TimeUnit.SECONDS)) {
                        w.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    w.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            if (coordinator != null) {
                coordinator.close();
            }
            if (dir != null) {
                removeOrKeep(dir);
            }
        }
    }

    /** From the first fetch's start to the last fetch's end, over the workers' log lines about {@code blob}. */
    private Figures measure(Path dir, String blob, JsonNode transfer) throws IOException, BenchFailure {
        Instant first = null;
        Instant last = null;
        int fetches = 0;
        for (int i = 0; i < settings.workers(); i++) {
            for (String line : Files.readAllLines(dir.resolve("p2p-" + i + ".log"), StandardCharsets.UTF_8)) {
                Matcher m = FETCHED.matcher(line);
                if (m.matches() && m.group(2).equals(blob)) {
                    Instant end = Instant.parse(m.group(1));
                    Instant start = end.minusMillis(Long.parseLong(m.group(3)));
                    first = first == null || start.isBefore(first) ? start : first;
                    last = last == null || end.isAfter(last) ? end : last;
                    fetches++;
                }
            }
        }
        if (fetches != settings.workers()) {
            throw new BenchFailure(fetches + " of " + settings.workers() + " workers logged fetching the blob (a worker"
                    + " that ran no map work unit did not fetch it); see the logs with --keep");
        }
        return new Figures(Duration.between(first, last).toMillis() / 1000.0,
                bound(settings.workers(), settings.sizeBytes(), settings.coordinatorUpload(), settings.workerUpload()),
                transfer.get("bytesFromCoordinator").asLong(), transfer.get("bytesFromPeers").asLong());
    }

    /** Text of {@code size} bytes: words of a vocabulary of 4,096, spaces and newlines (its word count is small). */
    static byte[] corpus(long size) {
        SplittableRandom random = new SplittableRandom(1);
        byte[][] vocabulary = new byte[4096][];
        for (int i = 0; i < vocabulary.length; i++) {
            byte[] word = new byte[2 + random.nextInt(9)];
            for (int j = 0; j < word.length; j++) {
                word[j] = (byte) ('a' + random.nextInt(26));
            }
            vocabulary[i] = word;
        }
        byte[] bytes = new byte[Math.toIntExact(size)];
        int at = 0;
        while (at < bytes.length) {
            byte[] word = vocabulary[random.nextInt(vocabulary.length)];
            int n = Math.min(word.length, bytes.length - at);
            System.arraycopy(word, 0, bytes, at, n);
            at += n;
            if (at < bytes.length) {
                bytes[at++] = (byte) (random.nextInt(12) == 0 ? '\n' : ' ');
            }
        }
        return bytes;
    }

    private String upload(URI api, byte[] bytes) throws BenchFailure {
        HttpResponse<String> r = send(admin(api, "/api/v1/blobs")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
        return JSON.readTree(r.body()).get("id").asString();
    }

    private JsonNode post(URI api, String path, String json) throws BenchFailure {
        return JSON.readTree(send(admin(api, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build()).body());
    }

    private JsonNode get(URI api, String path) throws BenchFailure {
        return JSON.readTree(send(admin(api, path).GET().build()).body());
    }

    private HttpRequest.Builder admin(URI api, String path) {
        return HttpRequest.newBuilder(api.resolve(path)).header("Authorization", authorization);
    }

    private HttpResponse<String> send(HttpRequest request) throws BenchFailure {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new BenchFailure(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new BenchFailure(request.method() + " " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted");
        }
    }

    private interface Condition {
        boolean holds() throws BenchFailure;
    }

    private void awaitUntil(Condition condition, String what) throws BenchFailure {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new BenchFailure("not " + what + " within " + WAIT.toMinutes() + " min");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchFailure("interrupted");
            }
        }
    }

    /** {@code STARLING_WORKER_JAR} (set by the launcher), else {@code worker/target/starling-worker.jar}. */
    private static Path workerJar() {
        String fromEnv = System.getenv("STARLING_WORKER_JAR");
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of("worker", "target", "starling-worker.jar");
    }

    private static String mib(long bytes) {
        return Numbers.format(bytes / (1024.0 * 1024));
    }

    private void say(String line) {
        err.println("bench-p2p: " + line);
        err.flush();
    }

    private void removeOrKeep(Path dir) {
        if (settings.keep()) {
            say("kept " + dir);
            return;
        }
        try {
            Bench.deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            say("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
