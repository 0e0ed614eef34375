package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The re-checker's work list of a convicted host's VALID results, over real gRPC and PostgreSQL: listed by one pass
 * over result per conviction, once no transaction begun before the conviction was seen is left, and by the
 * judgements of the host's later results; every one is re-checked, those that became VALID after the conviction too.
 */
class RecheckTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private SpotCheckQueries spotChecks;

    @Autowired
    private Rechecker rechecker;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.spot-checks.rate", () -> "1");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
        // the spot checks of finished jobs too, so that the next test's hosts get only its own work
        jdbc.sql("UPDATE result SET state = 'CANCELLED' WHERE state = 'UNSENT'").update();
    }

    /** A job of replicated work units (quorum 2, never alone), split. */
    private long job(int units) {
        return Primes.job(api(), units, false);
    }

    private long valid(TestHost host) {
        return jdbc.sql("SELECT count(*) FROM result WHERE host_id = :h AND state = 'VALID'").param("h", host.id())
                .query(Long.class).single();
    }

    private int rechecked(long job) {
        var view = api().job(job);
        return view.has("recheck") ? view.get("recheck").get("workUnits").asInt() : 0;
    }

    @Test
    void aConvictedHostsResultsAreAllRecheckedThoseValidatedAfterItsConvictionToo() {
        TestHost turncoat = volunteerHost("turncoat", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        TestHost checker = volunteerHost("checker", "primes");

        // validated with the turncoat's help; their spot checks go to the checker, who computed neither
        long before = job(2);
        Primes.computeRight(turncoat, turncoat.drain());
        Primes.computeRight(honest, honest.drain());
        await().until(() -> api().job(before).get("state").asString().equals("SUCCEEDED"));
        // in progress when it is convicted: reported, and judged VALID, after
        long during = job(1);
        List<Task> late = turncoat.drain();
        assertThat(late).singleElement().satisfies(t -> assertThat(t.getJobId()).isEqualTo(during));
        List<Task> lateHonest = honest.drain();
        Primes.computeRight(checker, checker.drain());

        // a work unit it did not compute; its spot check goes to it, and it answers wrong
        long bait = job(1);
        Primes.computeRight(honest, honest.drain());
        Primes.computeRight(checker, checker.drain());
        await().until(() -> api().job(bait).get("state").asString().equals("SUCCEEDED"));
        List<Task> check = turncoat.drain();
        assertThat(check).singleElement().satisfies(t -> assertThat(t.getJobId()).isEqualTo(bait));
        turncoat.succeed(check.get(0), "999");
        await().until(() -> jdbc.sql("SELECT convicted_at IS NOT NULL FROM host WHERE id = :h")
                .param("h", turncoat.id()).query(Boolean.class).single());

        Primes.computeRight(turncoat, late);
        Primes.computeRight(honest, lateHonest);
        await().until(() -> rechecked(before) == 2 && rechecked(during) == 1 && valid(turncoat) == 0);
        assertThat(jdbc.sql("SELECT state FROM result WHERE id = :id").param("id", late.get(0).getResultId())
                .query(String.class).single()).as("judged VALID after the conviction, then voided")
                .isEqualTo("INVALID");
        await().until(() -> jdbc.sql("SELECT count(*) FROM recheck_work_unit").query(Long.class).single() == 0);

        // honest hosts compute the new replicas; the outputs stand
        await().until(() -> {
            Primes.computeRight(checker, checker.drain());
            Primes.computeRight(honest, honest.drain());
            return api().job(before).get("state").asString().equals("SUCCEEDED")
                    && api().job(during).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(valid(turncoat)).isZero();
    }

    @Test
    void aResultJudgedValidByATransactionBegunBeforeTheConvictionIsListedOnceItEnds() throws Exception {
        TestHost convicted = volunteerHost("convicted", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        long job = job(1);
        Task task = convicted.drain().get(0);
        Task other = honest.drain().get(0);
        Primes.computeRight(honest, List.of(other));

        try (Connection judging = dataSource.getConnection()) {
            judging.setAutoCommit(false);
            try (Statement begin = judging.createStatement()) {
                begin.execute("SELECT 1"); // the transaction begins: it reads the host as not convicted
            }
            spotChecks.convict(convicted.id(), "failed a spot check (in a test)", clock.instant());
            // what a judgement that read the host before the conviction committed writes after it
            try (PreparedStatement results = judging.prepareStatement("""
                            UPDATE result r SET state = 'VALID', reported_at = now(),
                                                output_hash = (SELECT output_hash FROM result WHERE id = ?)
                             WHERE r.id IN (?, ?)""");
                    PreparedStatement workUnit = judging.prepareStatement("""
                            UPDATE work_unit SET state = 'VALIDATED', canonical_result_id = ?, finished_at = now()
                             WHERE id = ?""")) {
                results.setLong(1, other.getResultId());
                results.setLong(2, other.getResultId());
                results.setLong(3, task.getResultId());
                results.executeUpdate();
                workUnit.setLong(1, other.getResultId());
                workUnit.setLong(2, task.getWorkUnitId());
                workUnit.executeUpdate();
            }
            rechecker.step();
            assertThat(jdbc.sql("""
                            SELECT convicted_seen_at IS NOT NULL AND convicted_scanned_at IS NULL
                              FROM host WHERE id = :h""")
                    .param("h", convicted.id()).query(Boolean.class).single())
                    .as("not listed while a transaction begun before the conviction was seen is open").isTrue();
            judging.commit();
        }

        await().until(() -> rechecked(job) == 1 && valid(convicted) == 0);
        assertThat(jdbc.sql("SELECT convicted_scanned_at IS NOT NULL FROM host WHERE id = :h")
                .param("h", convicted.id()).query(Boolean.class).single()).isTrue();
    }

    @Test
    void aReleasedHostsListedWorkUnitsAreLeftAsTheyAre() {
        TestHost released = volunteerHost("released", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        long job = job(1);
        Primes.computeRight(released, released.drain());
        Primes.computeRight(honest, honest.drain());
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        long workUnit = jdbc.sql("SELECT id FROM work_unit WHERE job_id = :job").param("job", job)
                .query(Long.class).single();
        // listed for a conviction the admin forgave before the re-checker got to it
        jdbc.sql("INSERT INTO recheck_work_unit VALUES (:wu)").param("wu", workUnit).update();
        await().until(() -> jdbc.sql("SELECT count(*) FROM recheck_work_unit").query(Long.class).single() == 0);
        assertThat(rechecked(job)).isZero();
        assertThat(valid(released)).isEqualTo(1);
    }
}
