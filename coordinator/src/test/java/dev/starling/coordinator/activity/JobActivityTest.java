package dev.starling.coordinator.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.activity.ActivityTable.Minute;
import dev.starling.coordinator.activity.ActivityTable.StageTotals;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The activity tables count what validation decided, by job, stage and minute, exactly once: the same figures as
 * the work units and the hosts, before and after the sweeper folds them.
 */
class JobActivityTest extends CoordinatorTest {
    @Autowired
    ActivityTable activity;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void countsDecisionsAndJudgementsOncePerJobStageAndMinute() throws Exception {
        Instant minute0 = clock.instant();
        try (TestHost a = volunteerHost("a", "primes");
                TestHost b = volunteerHost("b", "primes");
                TestHost c = volunteerHost("c", "primes")) {
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000,\"chunkSize\":1000},"
                    + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}");
            await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
            Map<Long, Task> forA = byIndex(a.requestWork(10));
            Map<Long, Task> forB = byIndex(b.requestWork(10));

            // minute 0: work unit 0 agrees
            a.succeed(forA.get(0L), "1");
            b.succeed(forB.get(0L), "1");

            // minute 1: work unit 1 disagrees, a third host breaks the tie; work unit 2 gets an error
            clock.advance(Duration.ofMinutes(1));
            a.succeed(forA.get(1L), "1");
            b.succeed(forB.get(1L), "2");
            Task tieBreaker = c.requestWork(10).stream().filter(t -> t.getIndex() == 1).findFirst().orElseThrow();
            c.succeed(tieBreaker, "1");
            a.fail(forA.get(2L), Failure.Kind.COMPUTE_ERROR, "out of memory");

            // minute 2: b's task of work unit 2 times out (the lease is 60 s in tests)
            clock.advance(Duration.ofSeconds(61));
            await().until(() -> totals(job).timedOut() == 1);

            StageTotals expected = new StageTotals(0, 2, 0, 4, 1, 1, 1);
            assertThat(totals(job)).isEqualTo(expected);
            assertThat(activity.perMinute(minute0, clock.instant(), job)).containsExactly(
                    new Minute(minute0, 1, 0, 2, 0, 0, 0),
                    new Minute(minute0.plusSeconds(60), 1, 0, 2, 1, 1, 0),
                    new Minute(minute0.plusSeconds(120), 0, 0, 0, 0, 0, 1));
            assertThat(activity.perMinute(minute0, clock.instant(), null))
                    .as("all jobs: only this one ran").isEqualTo(activity.perMinute(minute0, clock.instant(), job));
            assertThat(api().job(job).get("workUnits").get("validated").asLong()).isEqualTo(expected.validated());

            // folded into job_activity by the sweeper: the same figures
            await().until(() -> jdbc.sql("SELECT count(*) FROM job_activity_tally").query(Long.class).single() == 0);
            assertThat(totals(job)).isEqualTo(expected);
            assertThat(jdbc.sql("SELECT count(*) FROM job_activity WHERE job_id = :job").param("job", job)
                    .query(Long.class).single()).as("one row per minute").isEqualTo(3);
        }
    }

    private StageTotals totals(long job) {
        List<StageTotals> stages = activity.totals(List.of(job)).getOrDefault(job, List.of());
        return stages.isEmpty() ? new StageTotals(0, 0, 0, 0, 0, 0, 0) : stages.get(0);
    }

    private static Map<Long, Task> byIndex(List<Task> tasks) {
        return tasks.stream().collect(Collectors.toMap(Task::getIndex, Function.identity()));
    }
}
