package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Several work units of one job failing in one validation transaction (one report batch, one lease sweep): the
 * first failure failed the job and cancelled its other open work units, so the second found its work unit no longer
 * OPEN, threw, and the whole batch rolled back (the report answered INTERNAL; the lease sweeper retried forever).
 */
class FailingWorkUnitsTest extends CoordinatorTest {
    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** A primes job of {@code units} work units, one replica each, failing at its first error; split. */
    private long job(int units) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1}}");
        await().until(() -> count("SELECT count(*) FROM work_unit WHERE job_id = :job", id) == units);
        return id;
    }

    @Test
    void twoWorkUnitsOfOneJobFailingInOneReportFailTheJobOnce() {
        TestHost host = volunteerHost("both-fail", "primes");
        long job = job(3);
        List<Task> tasks = host.requestWork(2);
        assertThat(tasks).hasSize(2);

        ReportResultsRequest.Builder report = ReportResultsRequest.newBuilder();
        for (Task t : tasks) {
            report.addResults(TaskResult.newBuilder().setResultId(t.getResultId())
                    .setFailure(Failure.newBuilder().setKind(Failure.Kind.COMPUTE_ERROR).setMessage("no " + t.getIndex())));
        }
        List<ReportAck> acks = host.stub(true).reportResults(report.build()).getAcksList();

        assertThat(acks).extracting(ReportAck::getStatus).containsOnly(ReportAck.Status.ACCEPTED);
        assertThat(api().job(job).get("state").asString()).isEqualTo("FAILED");
        // the queue's order is random: the job's error names the first of the two the host was given
        long first = tasks.stream().mapToLong(Task::getIndex).min().orElseThrow();
        assertThat(api().job(job).get("error").asString()).contains("work unit " + first).contains("no " + first);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'FAILED'", job)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'CANCELLED'", job)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job AND state IN ('UNSENT', 'IN_PROGRESS')", job))
                .isZero();
    }

    @Test
    void twoWorkUnitsOfOneJobTimingOutInOneSweepFailTheJobOnce() {
        TestHost host = volunteerHost("both-late", "primes");
        long job = job(3);
        assertThat(host.requestWork(2)).hasSize(2);

        clock.advance(Duration.ofSeconds(61)); // past the lease: the sweeper times both out in one transaction

        await().until(() -> api().job(job).get("state").asString().equals("FAILED"));
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'FAILED'", job)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job AND state = 'TIMED_OUT'", job)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'OPEN'", job)).isZero();
    }

    private long count(String sql, long jobId) {
        return jdbc.sql(sql).param("job", jobId).query(Long.class).single();
    }
}
