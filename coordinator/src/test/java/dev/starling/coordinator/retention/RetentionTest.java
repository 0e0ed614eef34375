package dev.starling.coordinator.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.Task;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Retention: finished jobs archived and purged, deleted on request, and what must survive a purge. */
@TestPropertySource(properties = {"starling.retention.finished-jobs=1h", "starling.retention.interval=100ms",
        "starling.retention.batch-size=2"})
class RetentionTest extends CoordinatorTest {
    private static final Map<Long, String> COUNTS = Map.of(0L, "168", 1L, "135", 2L, "127", 3L, "120");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void aPurgedJobStillAnswersWithItsCountsAndItsArchiveHoldsItsDetails() throws Exception {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":3}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 4);
        TestHost a = volunteerHost("purge-a", "primes");
        TestHost b = volunteerHost("purge-b", "primes");
        TestHost late = volunteerHost("purge-late", "primes");
        List<Task> forA = a.requestWork(10);
        List<Task> forB = b.requestWork(10);
        List<Task> forLate = late.requestWork(10);
        assertThat(forLate).hasSize(4);
        forA.forEach(t -> a.succeed(t, COUNTS.get(t.getIndex())));
        forB.forEach(t -> b.succeed(t, COUNTS.get(t.getIndex())));
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        JsonNode before = api().job(job);
        String result = api().get("/api/v1/jobs/" + job + "/result").body();
        Map<String, Double> creditBefore = leaderboard();
        double hostCreditBefore = a.heartbeat().getHostCredit();

        clock.advance(Duration.ofMinutes(30));
        Thread.sleep(500); // several purger passes: not due yet
        assertThat(api().job(job).has("archive")).as("finished 30 minutes ago, kept for an hour").isFalse();

        clock.advance(Duration.ofMinutes(31));
        await().until(() -> api().job(job).path("archive").has("purgedAt"));

        JsonNode after = api().job(job);
        assertThat(after.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(after.get("workUnits")).isEqualTo(before.get("workUnits"));
        assertThat(after.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(after.get("transfer")).isEqualTo(before.get("transfer"));
        assertThat(after.get("archive").get("download").asString()).isEqualTo("/api/v1/jobs/" + job + "/archive");
        assertThat(after.get("archive").get("note").asString()).contains("archived");
        assertThat(api().get("/api/v1/jobs/" + job + "/result").body()).isEqualTo(result);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", job)).isZero();
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job", job)).isZero();
        assertThat(count("SELECT count(*) FROM job_transfer WHERE job_id = :job", job)).isZero();

        // the archive: the job, then each work unit with its canonical output and every replica
        List<JsonNode> lines = archive(api(), job);
        assertThat(lines.getFirst().get("kind").asString()).isEqualTo("job");
        assertThat(lines.getFirst().get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(lines).hasSize(5);
        Map<Long, Double> validCredit = new HashMap<>();
        for (JsonNode wu : lines.subList(1, 5)) {
            long index = wu.get("index").asLong();
            assertThat(wu.get("state").asString()).isEqualTo("VALIDATED");
            assertThat(new String(Base64.getDecoder().decode(wu.get("canonicalOutput").asString()),
                    StandardCharsets.UTF_8)).isEqualTo(COUNTS.get(index));
            assertThat(wu.get("replicas")).hasSize(3);
            for (JsonNode r : wu.get("replicas")) {
                if (r.get("state").asString().equals("VALID")) {
                    validCredit.merge(r.get("hostId").asLong(), r.get("credit").asDouble(), Double::sum);
                    assertThat(r.get("reportedAt").isNull()).isFalse();
                } else {
                    assertThat(r.get("hostId").asLong()).isEqualTo(late.id());
                    assertThat(r.get("state").asString()).as("cancelled once its work unit was decided").isEqualTo("CANCELLED");
                }
            }
        }
        assertThat(validCredit.keySet()).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(validCredit.get(a.id())).isEqualTo(hostCreditBefore);

        // credit, host tallies and the leaderboard lose nothing
        assertThat(leaderboard()).isEqualTo(creditBefore);
        assertThat(a.heartbeat().getHostCredit()).isEqualTo(hostCreditBefore);

        // the host still holding replicas hears that they are no longer wanted
        ReportAck ack = late.succeed(forLate.getFirst(), COUNTS.get(forLate.getFirst().getIndex()));
        assertThat(ack.getStatus()).isEqualTo(ReportAck.Status.NOT_NEEDED);
        assertThat(ack.getMessage()).contains("archived");
        assertThat(late.heartbeat(forLate.get(1)).getAbandonResultIdsList()).containsExactly(forLate.get(1).getResultId());
        // ... while a stranger's made-up id is still refused
        assertThat(late.report(dev.starling.proto.v1.TaskResult.newBuilder().setResultId(Long.MAX_VALUE)
                .setFailure(dev.starling.proto.v1.Failure.newBuilder().setMessage("x")).build()).getStatus())
                .isEqualTo(ReportAck.Status.REJECTED);

        // deleted after its purge, it lets its archive go
        assertThat(delete(api(), job).status()).isEqualTo(204);
        await().until(() -> count("SELECT count(*) FROM job WHERE id = :job AND archive_blob IS NULL"
                + " AND purged_at IS NOT NULL", job) == 1);
        assertThat(api().get("/api/v1/jobs/" + job + "/archive").status()).isEqualTo(404);
    }

    @Test
    void aRunningJobCannotBeDeletedAndAFinishedOneIsGoneAtOnce() {
        TestApi researcher = researcher("dropper");
        long job = researcher.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000}}");
        await().until(() -> researcher.job(job).get("workUnits").get("total").asLong() == 4);

        TestApi.Response refused = delete(researcher, job);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).contains("cancel it first");
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", job)).isEqualTo(4);
        assertThat(delete(researcher("someone-else"), job).status()).as("another researcher's job").isEqualTo(404);

        researcher.postRaw("/api/v1/jobs/" + job + "/cancel", null, null);
        assertThat(delete(researcher, job).status()).isEqualTo(204);
        assertThat(researcher.get("/api/v1/jobs/" + job).status()).isEqualTo(404);
        assertThat(researcher.get("/api/v1/jobs").json().get("total").asLong()).isZero();
        assertThat(delete(researcher, job).status()).as("deleted already").isEqualTo(404);
        await().until(() -> count("SELECT count(*) FROM job WHERE id = :job AND purged_at IS NOT NULL", job) == 1);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", job)).isZero();
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job", job)).isZero();
        assertThat(count("SELECT count(*) FROM job WHERE id = :job AND archive_blob IS NULL", job)).isEqualTo(1);
    }

    /**
     * A coordinator that leased a job and died (kill -9 while it wrote the archive) keeps the others off it only until
     * its lease lapses; then another purges the job from the start, once.
     */
    @Test
    void aJobLeasedByACoordinatorThatDiedIsPurgedOnceItsLeaseLapses() throws InterruptedException {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 4);
        api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null);
        jdbc.sql("UPDATE job SET purge_lease = :until WHERE id = :job")
                .param("until", java.sql.Timestamp.from(clock.instant().plus(Duration.ofMinutes(70))))
                .param("job", job).update();

        clock.advance(Duration.ofMinutes(61));
        Thread.sleep(500); // several purger passes
        assertThat(api().job(job).has("archive")).as("leased to the dead coordinator").isFalse();
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", job)).isEqualTo(4);

        clock.advance(Duration.ofMinutes(10));
        await().until(() -> api().job(job).path("archive").has("purgedAt"));
        assertThat(api().job(job).get("workUnits").get("cancelled").asLong()).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", job)).isZero();
    }

    private TestApi.Response delete(TestApi api, long job) {
        return api.send(api.request("/api/v1/jobs/" + job).DELETE().build());
    }

    private long count(String sql, long job) {
        return jdbc.sql(sql).param("job", job).query(Long.class).single();
    }

    private Map<String, Double> leaderboard() {
        Map<String, Double> board = new HashMap<>();
        for (JsonNode e : anonymous().get("/api/v1/leaderboard?size=100").json().get("items")) {
            board.put(e.get("name").asString(), e.get("credit").asDouble());
        }
        return board;
    }

    static List<JsonNode> archive(TestApi api, long job) throws IOException {
        HttpResponse<byte[]> r;
        try {
            r = java.net.http.HttpClient.newHttpClient().send(api.request("/api/v1/jobs/" + job + "/archive").GET()
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/gzip");
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(r.body())), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
