package dev.starling.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.activity.ActivityTable.StageTotals;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobState;
import dev.starling.coordinator.job.Redundancy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress is derived from the job row and its activity totals without counting work units. */
class JobProgressTest {
    private static Job job(JobState state, int stage, long stageSize, long splitNext, boolean splitComplete) {
        return new Job(1, null, "wordcount", "{}", state, 0, new Redundancy(2, 2, 6, 3, false), 600, stage, stageSize, splitNext,
                splitComplete, null, null, Instant.EPOCH, null, null, 0, null, null, null, null);
    }

    private static StageTotals stage(int stage, long validated, long failed) {
        return new StageTotals(stage, validated, failed, 2 * validated, 1, 0, 0);
    }

    @Test
    void aQueuedJobIsAllOpenAndPartlyUnsplit() {
        JobProgress p = JobProgress.of(job(JobState.QUEUED, 0, 1000, 400, false), List.of());
        assertThat(p.total()).isEqualTo(1000);
        assertThat(p.open()).isEqualTo(1000);
        assertThat(p.unsplit()).isEqualTo(600);
        assertThat(p.fraction()).isZero();
    }

    @Test
    void aJobInItsSecondStageCountsTheFirstAsComplete() {
        JobProgress p = JobProgress.of(job(JobState.RUNNING, 1, 8, 8, true), List.of(stage(0, 100, 0), stage(1, 2, 0)));
        assertThat(p.stages()).containsExactly(new JobProgress.Stage(0, 100, 100, 0, 0),
                new JobProgress.Stage(1, 8, 2, 0, 6));
        assertThat(p.total()).isEqualTo(108);
        assertThat(p.validated()).isEqualTo(102);
        assertThat(p.open()).isEqualTo(6);
        assertThat(p.fraction()).isEqualTo(102.0 / 108);
        assertThat(p.valid()).isEqualTo(204);
        assertThat(p.invalid()).isEqualTo(2);
        assertThat(p.results()).isEqualTo(206);
    }

    @Test
    void whatACancelledJobLeftUndecidedIsCancelled() {
        JobProgress p = JobProgress.of(job(JobState.CANCELLED, 0, 1000, 1000, true), List.of(stage(0, 300, 0)));
        assertThat(p.open()).isZero();
        assertThat(p.cancelled()).isEqualTo(700);
        assertThat(p.unsplit()).isZero();
        assertThat(p.fraction()).isEqualTo(0.3);
    }

    @Test
    void aFailedJobShowsItsFailedWorkUnit() {
        JobProgress p = JobProgress.of(job(JobState.FAILED, 0, 10, 10, true), List.of(stage(0, 4, 1)));
        assertThat(p.failed()).isEqualTo(1);
        assertThat(p.cancelled()).isEqualTo(5);
    }

    @Test
    void aSucceededJobIsComplete() {
        JobProgress p = JobProgress.of(job(JobState.SUCCEEDED, 0, 10, 10, true), List.of(stage(0, 10, 0)));
        assertThat(p.fraction()).isEqualTo(1.0);
        assertThat(p.open()).isZero();
        assertThat(p.cancelled()).isZero();
    }
}
