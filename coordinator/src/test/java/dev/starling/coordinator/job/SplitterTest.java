package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.WorkUnitSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** Splitting in repeatable batches: a job is written in full, once, whatever is repeated. */
class SplitterTest extends CoordinatorTest {
    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobTable jobs;

    @Autowired
    WorkUnitTable workUnits;

    @Autowired
    JobParamsReader params;

    @Autowired
    TransactionTemplate tx;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void aJobOfManyBatchesIsWrittenInFullWithItsReplicas() {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2500000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":3}}");

        await().until(() -> jobs.find(id).orElseThrow().splitComplete());

        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", id)).isEqualTo(2500);
        assertThat(count("SELECT count(DISTINCT idx) FROM work_unit WHERE job_id = :job", id)).isEqualTo(2500);
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job AND state = 'UNSENT'", id)).isEqualTo(7500);
        assertThat(api().job(id).get("workUnits").get("total").asLong()).isEqualTo(2500);
    }

    @Test
    void writingABatchAgainInsertsNothing() {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1500000,\"chunkSize\":1000}}");
        await().until(() -> jobs.find(id).orElseThrow().splitComplete());
        Job job = jobs.find(id).orElseThrow();
        StagePlan plan = params.plan(job);
        List<WorkUnitSpec> again = new ArrayList<>();
        for (long i = 500; i < 1200; i++) {
            again.add(plan.workUnit(i));
        }

        // what a coordinator that died after writing a batch, but before recording it, would do on restart
        tx.executeWithoutResult(s -> workUnits.insertBatch(job, 500, again, clock.instant()));

        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job", id)).isEqualTo(1500);
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job", id)).isEqualTo(3000);
    }

    private long count(String sql, long jobId) {
        return jdbc.sql(sql).param("job", jobId).query(Long.class).single();
    }
}
