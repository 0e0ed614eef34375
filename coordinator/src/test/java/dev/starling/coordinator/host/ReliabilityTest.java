package dev.starling.coordinator.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * BOINC's host punishment over real gRPC: rolling counts and a reliability score, quarantine after repeated
 * invalid results (its results then need a partner in good standing, and it gets a few tasks a day until it
 * recovers), and tasks given back counting nothing.
 */
class ReliabilityTest extends CoordinatorTest {
    /** pi(1000), pi(2000) - pi(1000), ...: the right answers of primes work units of 1,000 numbers */
    private static final Map<Long, String> COUNTS = Map.of(0L, "168", 1L, "135", 2L, "127", 3L, "120", 4L, "119");

    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.reliability.min-results", () -> "3");
        registry.add("starling.reliability.quarantine-invalid-rate", () -> "0.5");
        registry.add("starling.reliability.quarantine-tasks-per-day", () -> "2");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private TestHost host(String name) {
        return volunteerHost(name, "primes");
    }

    private long job(int units, int quorum) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":" + quorum + ",\"initialReplicas\":" + quorum + "}}");
        await().until(() -> api().job(id).get("workUnits").get("total").asLong() == units
                && api().job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    private JsonNode view(TestHost h) {
        return api().get("/api/v1/hosts/" + h.id()).json();
    }

    /** The liar and an honest host each compute every work unit of a quorum-2 job; a second honest host settles it. */
    private void outvote(TestHost liar, TestHost honest, TestHost tieBreaker, int units) {
        long job = job(units, 2);
        List<Task> lies = liar.requestWork(10);
        List<Task> truths = honest.requestWork(10);
        assertThat(lies).hasSize(units);
        lies.forEach(t -> liar.succeed(t, "999"));
        truths.forEach(t -> honest.succeed(t, COUNTS.get(t.getIndex())));
        tieBreaker.requestWork(10).forEach(t -> tieBreaker.succeed(t, COUNTS.get(t.getIndex())));
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
    }

    @Test
    void repeatedInvalidResultsQuarantineAHostWhoseResultsThenNeedAPartnerAndWhoGetsAFewTasksADay() {
        TestHost liar = host("liar");
        TestHost honest = host("honest");
        TestHost tieBreaker = host("tie-breaker");

        outvote(liar, honest, tieBreaker, 3);

        JsonNode quarantined = await().until(() -> view(liar), v -> !v.get("quarantinedAt").isNull());
        assertThat(quarantined.get("quarantineReason").asString()).isEqualTo("100% of its recent results were invalid");
        assertThat(quarantined.get("invalidCount").asLong()).isEqualTo(3);
        // 3, or a little less when the three were folded one by one (each fold decays the older ones)
        assertThat(quarantined.get("recent").get("invalid").asDouble()).isBetween(2.9, 3.0);
        assertThat(quarantined.get("reliability").asDouble()).isZero();
        assertThat(view(honest).get("quarantinedAt").isNull()).isTrue();
        assertThat(view(honest).get("reliability").asDouble()).isEqualTo(1.0);

        // a few tasks a day: two, then none until the next day
        long job = job(5, 1);
        List<Task> today = liar.requestWork(10);
        assertThat(today).hasSize(2);
        assertThat(liar.requestWork(10)).isEmpty();
        assertThat(view(liar).get("tasksToday").asInt()).isEqualTo(2);

        // even right, its results do not make a quorum of one alone: a host in good standing must agree
        today.forEach(t -> liar.succeed(t, COUNTS.get(t.getIndex())));
        assertThat(api().job(job).get("workUnits").get("validated").asLong()).isZero();
        honest.requestWork(10).forEach(t -> honest.succeed(t, COUNTS.get(t.getIndex())));
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        for (JsonNode wu : api().get("/api/v1/jobs/" + job + "/workunits").json().get("items")) {
            for (JsonNode r : wu.get("results")) {
                assertThat(r.get("state").asString()).isEqualTo("VALID");
            }
        }
        assertThat(view(liar).get("validCount").asLong()).as("right results of a quarantined host earn credit").isEqualTo(2);

        clock.advance(Duration.ofDays(1));
        job(3, 1);
        assertThat(liar.requestWork(10)).as("a new day, a new quota").hasSize(2);
    }

    @Test
    void aQuarantineIsLiftedWhenTheRollingCountsRecoverAndByTheAdmin() {
        TestHost liar = host("reformed");
        TestHost honest = host("honest-2");
        TestHost tieBreaker = host("tie-breaker-2");
        outvote(liar, honest, tieBreaker, 3);
        await().until(() -> view(liar), v -> !v.get("quarantinedAt").isNull());
        // the re-checker's one pass over its results for this quarantine (Rechecker)
        await().until(() -> jdbc.sql("SELECT quarantine_scanned_at IS NOT NULL FROM host WHERE id = ?")
                .param(liar.id()).query(Boolean.class).single());

        // what validation appends for 12 valid results: invalid drops below half the threshold (0.25)
        jdbc.sql("INSERT INTO host_tally (host_id, valid, credit) VALUES (?, 12, 0.012)").param(liar.id()).update();

        JsonNode recovered = await().until(() -> view(liar), v -> v.get("quarantinedAt").isNull());
        assertThat(recovered.get("quarantineReason").isNull()).isTrue();
        assertThat(jdbc.sql("""
                        SELECT quarantine_seen_at IS NULL AND quarantine_scanned_at IS NULL FROM host WHERE id = ?""")
                .param(liar.id()).query(Boolean.class).single()).as("quarantined again, it gets a new pass")
                .isTrue();
        // 12 valid against about 3 x 0.98^12 = 2.35 invalid
        assertThat(recovered.get("reliability").asDouble()).isBetween(0.83, 0.84);

        var manual = api().post("/api/v1/admin/hosts/" + liar.id() + "/quarantine", "{\"reason\":\"looks odd\"}");
        assertThat(manual.status()).as(manual.body()).isEqualTo(200);
        jdbc.sql("INSERT INTO host_tally (host_id, valid, credit) VALUES (?, 10, 0.01)").param(liar.id()).update();
        await().until(() -> view(liar).get("recent").get("valid").asDouble() > 15); // folded
        assertThat(view(liar).get("quarantineReason").asString()).as("only the admin lifts the admin's quarantine")
                .isEqualTo("looks odd");
        JsonNode released = api().postRaw("/api/v1/admin/hosts/" + liar.id() + "/release", null, null).json();
        assertThat(released.get("quarantinedAt").isNull()).isTrue();
        assertThat(released.get("reliability").isNull()).as("a fresh start").isTrue();
    }

    @Test
    void validResultsTakenBackDoNotMakeTheOlderOnesWeighMore() {
        TestHost host = host("re-checked");
        jdbc.sql("UPDATE host SET recent_valid = 10, recent_invalid = 2 WHERE id = ?").param(host.id()).update();
        // what the re-checker appends when it voids 5 of the host's valid results (their count and credit taken back)
        jdbc.sql("INSERT INTO host_tally (host_id, valid, credit) VALUES (?, -5, -0.005)").param(host.id()).update();
        await().until(() -> jdbc.sql("SELECT count(*) FROM host_tally WHERE host_id = ?").param(host.id())
                .query(Long.class).single() == 0);

        JsonNode recent = view(host).get("recent");
        assertThat(recent.get("valid").asDouble()).isEqualTo(5.0);
        assertThat(recent.get("invalid").asDouble()).as("no result was added: nothing decays, nothing grows")
                .isEqualTo(2.0);
    }

    @Test
    void tasksGivenBackCountNothingAgainstAHost() {
        TestHost shy = host("shy");
        job(5, 1);
        for (int round = 0; round < 3; round++) {
            for (Task t : shy.requestWork(10)) {
                shy.fail(t, Failure.Kind.GIVEN_BACK, "shutting down");
            }
        }

        JsonNode view = view(shy);
        assertThat(view.get("errorCount").asLong()).isZero();
        assertThat(view.get("recent").get("errors").asDouble()).isZero();
        assertThat(view.get("reliability").isNull()).isTrue();
        assertThat(view.get("quarantinedAt").isNull()).isTrue();
    }

    @Test
    void errorsAndTimeoutsQuarantineAHostToo() {
        TestHost broken = host("broken");
        job(3, 1);
        List<Task> tasks = broken.requestWork(10);
        assertThat(tasks).hasSize(3);
        broken.fail(tasks.get(0), Failure.Kind.COMPUTE_ERROR, "segfault");
        broken.fail(tasks.get(1), Failure.Kind.COMPUTE_ERROR, "segfault");
        clock.advance(Duration.ofSeconds(61)); // the third task's lease ends
        await().until(() -> view(broken).get("timedOutCount").asLong() == 1);

        JsonNode quarantined = await().until(() -> view(broken), v -> !v.get("quarantinedAt").isNull());
        assertThat(quarantined.get("quarantineReason").asString())
                .isEqualTo("100% of its recent results were errors or timed out");
    }
}
