package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.activity.ActivityTable.StageTotals;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobState;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's progress from its row and its activity totals, without counting its work units: stages before the
 * current one are complete (a job moves on only when every work unit of a stage is validated), and the current
 * stage has {@code stage_size} work units, of which those not yet decided are open while the job is active and
 * cancelled once it ended.
 *
 * @param stages one entry per stage so far, in order
 * @param total every work unit of the job known so far, including those not yet written by the splitter
 * @param unsplit work units of the current stage the splitter has yet to write (counted in open)
 */
public record JobProgress(Job job, List<Stage> stages, long total, long validated, long failed, long open,
        long unsplit, long cancelled, long valid, long invalid, long errors, long timedOut) {

    /** One stage's work units. */
    public record Stage(int stage, long total, long validated, long failed, long open) {
        public double fraction() {
            return total == 0 ? 0 : (double) validated / total;
        }
    }

    static JobProgress of(Job job, List<StageTotals> activity) {
        List<Stage> stages = new ArrayList<>();
        long total = 0, validated = 0, failed = 0, open = 0, cancelled = 0;
        long valid = 0, invalid = 0, errors = 0, timedOut = 0;
        for (int s = 0; s <= job.stage(); s++) {
            StageTotals t = find(activity, s);
            long stageTotal = s < job.stage() ? t.validated() + t.failed()
                    : job.stageSize() == null ? 0 : Math.max(job.stageSize(), t.validated() + t.failed());
            long undecided = stageTotal - t.validated() - t.failed();
            boolean active = !job.state().isFinal();
            stages.add(new Stage(s, stageTotal, t.validated(), t.failed(), active ? undecided : 0));
            total += stageTotal;
            validated += t.validated();
            failed += t.failed();
            if (active) {
                open += undecided;
            } else {
                cancelled += undecided;
            }
        }
        for (StageTotals t : activity) {
            valid += t.valid();
            invalid += t.invalid();
            errors += t.errors();
            timedOut += t.timedOut();
        }
        long unsplit = job.state().isFinal() || job.splitComplete() || job.stageSize() == null ? 0
                : Math.max(0, job.stageSize() - job.splitNext());
        return new JobProgress(job, stages, total, validated, failed, open, unsplit, cancelled, valid, invalid, errors,
                timedOut);
    }

    /** Validated work units over all known so far; 1 once the job has succeeded. */
    public double fraction() {
        return job.state() == JobState.SUCCEEDED ? 1 : total == 0 ? 0 : (double) validated / total;
    }

    /** Results judged so far. */
    public long results() {
        return valid + invalid + errors + timedOut;
    }

    private static StageTotals find(List<StageTotals> activity, int stage) {
        for (StageTotals t : activity) {
            if (t.stage() == stage) {
                return t;
            }
        }
        return new StageTotals(stage, 0, 0, 0, 0, 0, 0);
    }
}
