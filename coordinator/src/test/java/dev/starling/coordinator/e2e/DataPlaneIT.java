package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.samples.signalsearch.Recordings;
import dev.starling.samples.signalsearch.Recordings.Tone;
import dev.starling.sdk.ContentAddress;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The peer-to-peer data plane with real processes: a coordinator and worker processes that fetch a shared
 * input from each other and keep intermediate data to themselves, checked through the job's answer and
 * its byte accounting.
 */
class DataPlaneIT {
    private static final int MIB = 1 << 20;

    @Test
    void sixWorkersStartingTogetherFetchSharedInputsMostlyFromEachOther(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            p.coordinator();
            TestApi api = p.api();
            byte[] corpus = corpus(64 * MIB, 42);
            String blob = upload(p.api(), corpus);
            for (int i = 1; i <= 5; i++) {
                p.worker("w" + i);
            }
            p.worker("natted", "--behind-nat");
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> api.get("/api/v1/hosts").json().get("items").size() == 6);

            long job = api.submit("""
                    {"app": "wordcount", "params": {"input": "%s", "mapTasks": 6, "reducers": 3},
                     "redundancy": {"quorum": 1, "initialReplicas": 1}}""".formatted(blob));
            JsonNode done = finish(api, job);

            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            JsonNode result = api.get("/api/v1/jobs/" + job + "/result").json();
            JsonNode expected = expected(corpus);
            assertThat(result.get("totalWords").asLong()).isEqualTo(expected.get("totalWords").asLong());
            assertThat(result.get("distinctWords").asLong()).isEqualTo(expected.get("distinctWords").asLong());
            assertThat(result.get("top").toString()).isEqualTo(expected.get("top").toString());
            JsonNode transfer = done.get("transfer");
            long fromCoordinator = transfer.get("bytesFromCoordinator").asLong();
            long fromPeers = transfer.get("bytesFromPeers").asLong();
            // every worker that ran a map work unit fetched the whole input once; the coordinator served at most
            // 1.5 times its size, and intermediate blobs (which it never has) all came from peers
            assertThat(fromCoordinator).as(transfer.toString()).isLessThanOrEqualTo(corpus.length * 3L / 2);
            assertThat(fromPeers).as(transfer.toString()).isPositive();
            System.out.printf("six workers, %d-byte input: %s%n", corpus.length, transfer);

            // the worker behind NAT fetched its inputs from the peers it could dial and the coordinator
            Map<String, JsonNode> hosts = hostsByName(api);
            assertThat(hosts.get("natted").get("validCount").asLong()).as(hosts.get("natted").toString()).isPositive();

            // SETI@home in miniature: tones buried in noise, every work unit reading the whole recording, each
            // computed twice and compared within floating-point tolerance
            Tone steady = new Tone(1234.5, 0, 0.1);
            Tone drifting = new Tone(2500, -2.5, 0.1);
            String recording = upload(p.api(), Recordings.synthesize(3, 8192, 64, 1.0, steady, drifting));
            long search = api.submit("""
                    {"app": "signal-search", "params": {"recording": "%s", "sampleRate": 8192, "workUnits": 6},
                     "redundancy": {"quorum": 2}}""".formatted(recording));
            assertThat(finish(api, search).get("state").asString()).isEqualTo("SUCCEEDED");
            JsonNode candidates = api.get("/api/v1/jobs/" + search + "/result").json().get("candidates");
            assertThat(candidates).as(candidates.toString()).hasSize(2);
            for (Tone tone : List.of(steady, drifting)) {
                assertThat(candidates).as(candidates.toString()).anySatisfy(c -> {
                    assertThat(c.get("frequencyHz").asDouble()).isCloseTo(tone.frequencyHz(), within(8.0));
                    assertThat(c.get("driftHzPerSecond").asDouble()).isCloseTo(tone.driftHzPerSecond(), within(0.3));
                    assertThat(c.get("snr").asDouble()).isGreaterThan(10);
                });
            }

            // a worker serves its blobs only to holders of a token the coordinator signed for them
            List<String> peers = new ArrayList<>();
            api.get("/api/v1/hosts").json().get("items").forEach(h -> {
                if (!h.get("peerAddress").isNull()) {
                    peers.add(h.get("peerAddress").asString());
                }
            });
            assertThat(peers).as("the worker behind NAT advertises no address").hasSize(5);
            String peer = peers.get(0);
            ManagedChannel channel = Grpc.newChannelBuilder(peer, InsecureChannelCredentials.create()).build();
            try {
                PeerServiceGrpc.PeerServiceBlockingStub stub = PeerServiceGrpc.newBlockingStub(channel);
                assertThatThrownBy(() -> stub.getManifest(BlobRequest.newBuilder().setBlobId(blob).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                            assertThat(e.getStatus().getDescription()).contains("no fetch token");
                        });
                assertThatThrownBy(() -> stub.getManifest(BlobRequest.newBuilder().setBlobId(blob)
                                .setToken("eyJibG9iIjoieCJ9.c2lnbmF0dXJl").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                            assertThat(e.getStatus().getDescription()).contains("not signed by this worker's coordinator");
                        });
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aPeerServingCorruptChunksIsRoutedAroundAndBannedAndTheAnswerIsStillRight(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            p.coordinator();
            TestApi api = p.api();
            byte[] corpus = corpus(16 * MIB, 7);
            String blob = upload(p.api(), corpus);
            String params = """
                    {"app": "wordcount", "params": {"input": "%s", "mapTasks": 6, "reducers": 3},
                     "redundancy": {"quorum": 1, "initialReplicas": 1}}""".formatted(blob);
            // alone, the corrupting worker computes honestly and ends up holding the whole input
            Process alone = p.worker("corrupter", "--inject-fault", "corrupt-chunks");
            assertThat(finish(api, api.submit(params)).get("state").asString()).isEqualTo("SUCCEEDED");
            // started again outside its compute hours it computes nothing more, so it cannot take the whole next job
            // (it holds every blob that job reads): it only serves, and the others must fetch from it
            alone.destroy();
            assertThat(alone.waitFor(1, TimeUnit.MINUTES)).isTrue();
            LocalTime later = LocalTime.now().plusHours(6).truncatedTo(ChronoUnit.MINUTES);
            p.worker("corrupter", "--inject-fault", "corrupt-chunks", "--compute-hours", later + "-" + later.plusMinutes(1));

            // the others find it offered as a holder of the input and of what it produces
            for (int i = 1; i <= 3; i++) {
                p.worker("honest" + i);
            }
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> api.get("/api/v1/hosts").json().get("items").size() == 4);
            JsonNode done = finish(api, api.submit(params));

            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            JsonNode result = api.get("/api/v1/jobs/" + done.get("id").asLong() + "/result").json();
            JsonNode expected = expected(corpus);
            assertThat(result.get("totalWords").asLong()).isEqualTo(expected.get("totalWords").asLong());
            assertThat(result.get("top").toString()).isEqualTo(expected.get("top").toString());
            // the honest workers that received its bad chunks reported it; distinct reporters agree, so it is banned
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                Map<String, JsonNode> hosts = hostsByName(api);
                assertThat(hosts.get("corrupter").get("peerBannedAt").isNull()).as(hosts.toString()).isFalse();
                assertThat(hosts.values().stream().filter(h -> h.get("peerBannedAt").isNull()).count()).isEqualTo(3);
            });
        }
    }

    private static Map<String, JsonNode> hostsByName(TestApi api) {
        Map<String, JsonNode> hosts = new HashMap<>();
        api.get("/api/v1/hosts").json().get("items").forEach(h -> hosts.put(h.get("name").asString(), h));
        return hosts;
    }

    private static JsonNode finish(TestApi api, long job) {
        return await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.job(job), j -> j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED"));
    }

    /** Uploads the bytes as a blob; its id is their content address. */
    static String upload(TestApi api, byte[] content) {
        TestApi.Response r = api.send(api.request("/api/v1/blobs")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build());
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        String id = r.json().get("id").asString();
        assertThat(id).isEqualTo(ContentAddress.of(content));
        return id;
    }

    /**
     * About {@code size} bytes of text: words of a Zipf-like vocabulary in mixed case, separated by spaces,
     * punctuation, digits, newlines and now and then a non-ASCII character.
     */
    static byte[] corpus(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] vocabulary = new String[5000];
        for (int i = 0; i < vocabulary.length; i++) {
            StringBuilder w = new StringBuilder();
            for (int n = 1 + random.nextInt(9); n > 0; n--) {
                w.append((char) ((random.nextInt(4) == 0 ? 'A' : 'a') + random.nextInt(26)));
            }
            vocabulary[i] = w.toString();
        }
        String[] separators = {" ", " ", " ", ", ", ".\n", " 42 ", " - ", " \u00e9t\u00e9 ", "\t"};
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 64);
        while (out.size() < size) {
            // a rough Zipf: small indexes far more often
            int index = (int) (vocabulary.length * Math.pow(random.nextDouble(), 3));
            out.writeBytes(vocabulary[index].getBytes(StandardCharsets.UTF_8));
            out.writeBytes(separators[random.nextInt(separators.length)].getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The wordcount answer, computed here independently of the app. */
    static JsonNode expected(byte[] text) {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= text.length; i++) {
            int c = i < text.length ? text[i] & 0xff : ' ';
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c >= 'a' && c <= 'z') {
                word.append((char) c);
            } else if (!word.isEmpty()) {
                counts.merge(word.toString(), 1L, Long::sum);
                total++;
                word.setLength(0);
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>(counts.entrySet());
        top.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<List<Object>> top100 = top.stream().limit(100).map(e -> List.<Object>of(e.getKey(), e.getValue())).toList();
        return JsonMapper.builder().build().valueToTree(Map.of("totalWords", total, "distinctWords", (long) counts.size(),
                "top", top100));
    }
}
