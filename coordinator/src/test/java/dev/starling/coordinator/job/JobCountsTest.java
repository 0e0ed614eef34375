package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A job's work unit counts are kept by triggers and a sweeper (V76), not counted: they agree with the work units
 * themselves after every kind of change, before and after the sweeper folds them, and they are the job view's.
 */
class JobCountsTest extends CoordinatorTest {
    @Autowired
    JobTable jobs;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void countsFollowSplittingValidationReopeningCancellingAndDeletingFoldedOrNot() throws Exception {
        try (TestHost a = volunteerHost("a", "primes")) {
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":5000,\"chunkSize\":1000},"
                    + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
            await().until(() -> jobs.find(job).orElseThrow().splitComplete());
            assertCounts(job, Map.of("OPEN", 5L));

            List<Task> tasks = a.requestWork(2);
            tasks.forEach(t -> a.succeed(t, "1"));
            assertCounts(job, Map.of("OPEN", 3L, "VALIDATED", 2L));
            assertThat(api().job(job).get("workUnits").get("validated").asLong()).isEqualTo(2);
            assertThat(api().get("/api/v1/jobs/" + job + "/workunits?size=2").json().get("total").asLong())
                    .isEqualTo(5);

            // an update that changes no state (a re-check's bookkeeping) counts nothing; a re-opening counts
            jdbc.sql("UPDATE work_unit SET recheck_hash = 'x' WHERE job_id = :job").param("job", job).update();
            jdbc.sql("UPDATE work_unit SET state = 'OPEN' WHERE id = (SELECT min(id) FROM work_unit"
                    + " WHERE job_id = :job AND state = 'VALIDATED')").param("job", job).update();
            assertCounts(job, Map.of("OPEN", 4L, "VALIDATED", 1L));
            await().until(() -> jdbc.sql("SELECT count(*) FROM job_work_unit_tally").query(Long.class).single() == 0);
            assertCounts(job, Map.of("OPEN", 4L, "VALIDATED", 1L));

            assertThat(api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null).status()).isEqualTo(200);
            assertCounts(job, Map.of("CANCELLED", 4L, "VALIDATED", 1L));

            // the purger's delete (its replicas first)
            jdbc.sql("DELETE FROM result_blob WHERE work_unit_id IN (SELECT id FROM work_unit WHERE job_id = :job)")
                    .param("job", job).update();
            jdbc.sql("DELETE FROM result WHERE job_id = :job").param("job", job).update();
            jdbc.sql("DELETE FROM work_unit WHERE job_id = :job").param("job", job).update();
            assertCounts(job, Map.of());
            await().until(() -> jdbc.sql("SELECT count(*) FROM job_work_unit_tally").query(Long.class).single() == 0);
            assertCounts(job, Map.of());
        }
    }

    /** What the kept counts say, without zeros, is what counting the work units says. */
    private void assertCounts(long job, Map<String, Long> expected) {
        Map<String, Long> counted = new HashMap<>();
        jdbc.sql("SELECT state, count(*) FROM work_unit WHERE job_id = :job GROUP BY state").param("job", job)
                .query((rs, i) -> counted.put(rs.getString(1), rs.getLong(2))).list();
        Map<String, Long> kept = new HashMap<>(jobs.workUnitCounts(List.of(job)).getOrDefault(job, Map.of()));
        kept.values().removeIf(n -> n == 0);
        assertThat(counted).isEqualTo(expected);
        assertThat(kept).isEqualTo(expected);
    }
}
