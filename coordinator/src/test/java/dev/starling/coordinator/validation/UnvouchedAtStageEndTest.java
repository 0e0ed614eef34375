package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The end of a stage over real gRPC and PostgreSQL: a turncoat that turns in its last tasks is checked by nobody
 * again, so before its job is assimilated the work units whose result stood alone and no spot check vouched for are
 * computed again by a full quorum of other hosts ({@code JobTable.holdUnvouched}, the re-checker).
 */
class UnvouchedAtStageEndTest extends CoordinatorTest {
    /** primes below 10,000 and 2,000 */
    private static final long PI_10000 = 1229;
    private static final long PI_2000 = 303;

    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.adaptive-replication.trust-after", () -> "3");
        registry.add("starling.spot-checks.rate", () -> "0");
        registry.add("starling.adaptive-replication.recheck-unvouched", () -> "true");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private void succeeded(long job) {
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
    }

    @Test
    void aJobIsAssimilatedOnlyOnceItsUnvouchedAloneResultsAreComputedAgainByOthers() {
        TestHost turncoat = volunteerHost("last-minute", "primes");
        TestHost honest = volunteerHost("end-honest", "primes");
        TestHost other = volunteerHost("end-other", "primes");

        // all three trusted (a run of 4 or more): a re-check's replicas could stand alone, but must not
        long earning = Primes.job(api(), 4, true);
        Primes.computeRight(turncoat, turncoat.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(earning);
        long earningToo = Primes.job(api(), 4, false);
        Primes.computeRight(other, other.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(earningToo);
        assertThat(api().job(earning).has("recheck")).as("nothing stood alone").isFalse();

        // it turns in the job's last tasks: wrong wherever it stands alone; a spot check it passes (none here, rate 0:
        // written as HostTrustTable does) vouches for the first half of them
        long forged = Primes.job(api(), 10, true);
        List<Task> tasks = turncoat.drain();
        Set<Long> alone = Set.copyOf(jdbc.sql("SELECT work_unit_id FROM result WHERE job_id = :job AND alone")
                .param("job", forged).query(Long.class).list());
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (i == tasks.size() / 2) {
                clock.advance(Duration.ofSeconds(1));
                jdbc.sql("UPDATE host_app_trust SET vouched_at = :sent WHERE host_id = :h AND app = 'primes'")
                        .param("sent", Timestamp.from(clock.instant())).param("h", turncoat.id()).update();
                clock.advance(Duration.ofSeconds(1));
            }
            turncoat.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        Set<Long> unvouched = tasks.subList(tasks.size() / 2, tasks.size()).stream().map(Task::getWorkUnitId)
                .filter(alone::contains).collect(Collectors.toSet());
        assertThat(unvouched).as("each stands alone with probability 3/4 or more").isNotEmpty();
        Primes.computeRight(honest, honest.drain());

        // every work unit validated, the job not assimilated: the unvouched ones are re-opened first
        await().until(() -> api().job(forged).has("recheck"));
        JsonNode held = api().job(forged);
        assertThat(held.get("state").asString()).isEqualTo("RUNNING");
        assertThat(held.get("recheck").get("workUnits").asInt()).isEqualTo(unvouched.size());
        assertThat(jdbc.sql("SELECT result IS NULL FROM job WHERE id = :job").param("job", forged)
                .query(Boolean.class).single()).as("not assimilated").isTrue();

        await().until(() -> {
            Primes.computeRight(honest, honest.drain());
            Primes.computeRight(other, other.drain());
            return api().job(forged).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(forged).get("recheck").get("overturned").asInt()).isEqualTo(unvouched.size());
        for (long wu : unvouched) {
            assertThat(jdbc.sql("SELECT host_id FROM result WHERE work_unit_id = :wu AND state = 'VALID' AND NOT alone")
                    .param("wu", wu).query(Long.class).list())
                    .as("work unit %d validated again by a quorum of the other two, neither alone", wu)
                    .containsExactlyInAnyOrder(honest.id(), other.id());
        }
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM work_unit w JOIN result c ON c.id = w.canonical_result_id
                         WHERE w.job_id = :job AND c.host_id = :h AND c.alone""")
                .param("job", forged).param("h", turncoat.id()).query(Long.class).single())
                .as("its vouched alone results stand (forged: the price of a spot check's wrong known answer)")
                .isEqualTo(alone.size() - unvouched.size());
        assertThat(jdbc.sql("SELECT alone_checked_stage FROM job WHERE id = :job").param("job", forged)
                .query(Integer.class).single()).isZero();
        if (alone.size() == unvouched.size()) {
            assertThat(api().get("/api/v1/jobs/" + forged + "/result").json().get("count").asLong())
                    .isEqualTo(PI_10000);
        }
    }

    /**
     * Two colluders win a replicated work unit together while both are in good standing; both are quarantined before
     * the stage ends: the work unit is computed again by a full quorum of other hosts before the job is assimilated.
     */
    @Test
    void aQuorumOfHostsAllQuarantinedByTheStagesEndIsComputedAgain() {
        TestHost colluder = volunteerHost("pair-one", "primes");
        TestHost partner = volunteerHost("pair-two", "primes");
        TestHost honest = volunteerHost("after-honest", "primes");
        TestHost other = volunteerHost("after-other", "primes");

        long job = Primes.job(api(), 2, false);
        List<Task> mine = colluder.drain();
        List<Task> yours = partner.drain();
        assertThat(mine).hasSize(2);
        assertThat(yours).hasSize(2);
        long won = mine.get(0).getWorkUnitId();
        for (Task t : mine.stream().filter(t -> t.getWorkUnitId() == won).toList()) {
            colluder.succeed(t, "999");
        }
        for (Task t : yours.stream().filter(t -> t.getWorkUnitId() == won).toList()) {
            partner.succeed(t, "999");
        }
        // both quarantined (here by the admin, as their invalid rate would) before the stage's last work unit is done
        for (TestHost h : List.of(colluder, partner)) {
            api().post("/api/v1/admin/hosts/" + h.id() + "/quarantine", "{\"reason\":\"colluders\"}");
        }
        Primes.computeRight(colluder, mine.stream().filter(t -> t.getWorkUnitId() != won).toList());
        Primes.computeRight(partner, yours.stream().filter(t -> t.getWorkUnitId() != won).toList());
        await().until(() -> api().job(job).has("recheck"));
        assertThat(api().job(job).get("state").asString()).isEqualTo("RUNNING");
        assertThat(api().job(job).get("recheck").get("workUnits").asInt())
                .as("the one they won, and the other they validated after their quarantine (right, but by them)")
                .isEqualTo(2);
        await().until(() -> {
            Primes.computeRight(honest, honest.drain());
            Primes.computeRight(other, other.drain());
            return api().job(job).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(job).get("recheck").get("overturned").asInt()).as("the one they won").isEqualTo(1);
        assertThat(jdbc.sql("SELECT c.host_id FROM work_unit w JOIN result c ON c.id = w.canonical_result_id"
                        + " WHERE w.id = :wu").param("wu", won).query(Long.class).single())
                .isIn(honest.id(), other.id());
        assertThat(api().get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(PI_2000);
    }
}
