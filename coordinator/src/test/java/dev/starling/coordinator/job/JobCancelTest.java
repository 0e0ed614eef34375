package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** Cancelling a job while the dispatcher hands out its first tasks. */
class JobCancelTest extends CoordinatorTest {
    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobTable jobs;

    @Autowired
    TransactionTemplate tx;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    /**
     * A claim locks replicas of a queued job and then marks the job RUNNING; a cancel locks the job and then its
     * replicas. Crossed, PostgreSQL breaks the deadlock by aborting one: the cancel (it waited first) answered 500
     * and left the job running.
     */
    @Test
    void aCancelCrossingAClaimThatStartsTheJobCancelsIt() throws Exception {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000000}}");
        await().until(() -> jobs.find(id).orElseThrow().splitComplete());
        CountDownLatch claimHoldsAReplica = new CountDownLatch(1);
        CompletableFuture<Void> claim = CompletableFuture.runAsync(() -> tx.executeWithoutResult(status -> {
            jdbc.sql("SELECT id FROM result WHERE job_id = :job ORDER BY id LIMIT 1 FOR UPDATE").param("job", id)
                    .query(Long.class).single();
            claimHoldsAReplica.countDown();
            await().until(this::aCancelWaitsForALock);
            jdbc.sql("UPDATE job SET state = 'RUNNING', started_at = now() WHERE id = :id AND state = 'QUEUED'")
                    .param("id", id).update();
        }));
        claimHoldsAReplica.await();

        TestApi.Response cancelled = api().postRaw("/api/v1/jobs/" + id + "/cancel", null, null);

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asString()).isEqualTo("CANCELLED");
        claim.handle((done, failure) -> null).join(); // the claim may be the deadlock's victim instead (it retries too)
        assertThat(jobs.find(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state IN ('UNSENT', 'IN_PROGRESS')")
                .param("job", id).query(Long.class).single()).isZero();
    }

    private boolean aCancelWaitsForALock() {
        return jdbc.sql("""
                        SELECT count(*) FROM pg_stat_activity
                         WHERE wait_event_type = 'Lock' AND query LIKE '%SET state = ''CANCELLED''%'""")
                .query(Long.class).single() > 0;
    }
}
