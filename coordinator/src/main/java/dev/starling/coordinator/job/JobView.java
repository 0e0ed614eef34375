package dev.starling.coordinator.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.List;

/**
 * A job as the REST API shows it.
 *
 * @param researcherId who submitted it; absent for the admin's jobs
 * @param maxFailedWorkUnits how many work units may fail with the job still succeeding (deployed apps)
 * @param failedWorkUnits the job's failed work units and why (the first {@value JobService#FAILED_LISTED}, in index
 *     order), in the view of one job that has any
 * @param reduce the job's reduce step, if it has one: its stages after the first are the step's levels
 * @param recheck when some of its work units were re-opened because a host that helped validate them failed a spot
 *     check, or their result stood alone and was doubted, or not vouched for when their stage ended: how many, and how
 *     many of them were overturned (validated again with another canonical output); a succeeded job is RUNNING again
 *     until they are validated, then assimilated again
 * @param archive where the job's work units and replicas went, once retention purges them
 * @param waiting in the view of one running job, when some of its work units wait because too few volunteers (or
 *     hosts) can be sent them: why, and how many
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        long id,
        Long researcherId,
        String app,
        JobState state,
        int priority,
        @JsonRawValue String params,
        Redundancy redundancy,
        int deadlineSeconds,
        int stage,
        WorkUnitCounts workUnits,
        double progress,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String error,
        Transfer transfer,
        int maxFailedWorkUnits,
        List<FailedWorkUnit> failedWorkUnits,
        Reduce reduce,
        Job.Recheck recheck, Archive archive, Waiting waiting) {

    /**
     * Work units of a running job that wait because every volunteer (or host) that could be sent them, of those that
     * asked for work lately, has a replica of them already, or because none can run the job's app.
     *
     * @param reason {@code NO_HOSTS}, {@code TOO_FEW_VOLUNTEERS} or {@code TOO_FEW_HOSTS}
     * @param workUnits how many of its open work units wait so (of at most 1,000 looked at)
     * @param able how many volunteers (or hosts) could be sent its tasks
     * @param message the reason in words, with what would let them go on
     */
    public record Waiting(String reason, long workUnits, int able, String message) {}

    /** This view with its failed work units listed and why some wait (either null: none). */
    JobView with(List<FailedWorkUnit> failed, Waiting why) {
        return new JobView(id, researcherId, app, state, priority, params, redundancy, deadlineSeconds, stage, workUnits,
                progress, createdAt, startedAt, finishedAt, error, transfer, maxFailedWorkUnits, failed, reduce, recheck,
                archive, why);
    }

    /**
     * A job's work units and replicas were archived and deleted (or are being): the view's counts are as they were.
     *
     * @param blob the archive's blob id, a gzip JSON-lines file (also readable at /api/v1/blobs/{blob})
     * @param download where to download it
     * @param purgedAt when the last of them was deleted; absent while the purge goes on
     */
    public record Archive(String blob, String download, Instant archivedAt, Instant purgedAt, String note) {}

    /** What a job's view said of its work units just before they were purged, kept on the job's row. */
    public record Summary(WorkUnitCounts workUnits, double progress, Transfer transfer,
            List<FailedWorkUnit> failedWorkUnits) {}

    /**
     * A reduce step: its app and arguments, and the tree's shape fixed at submit (a level of one work unit over all
     * the outputs when they are at most {@code maxInputs} and {@code maxInputBytes}, else levels of {@code fanIn}).
     */
    public record Reduce(String app, List<String> args, int fanIn, long maxInputs, long maxInputBytes) {}

    /** A work unit that failed, and why. */
    public record FailedWorkUnit(int stage, long index, String error) {}

    /**
     * Bytes fetched for the job's input blobs: those the coordinator served itself, and those workers
     * report they got from peers.
     */
    public record Transfer(long bytesFromCoordinator, long bytesFromPeers) {}

    /**
     * @param total every work unit of the job known so far, including those not yet written by the splitter
     * @param unsplit work units of the current stage the splitter has yet to write (counted in total and open)
     * @param open work units still being computed or waiting for a quorum
     */
    public record WorkUnitCounts(long total, long unsplit, long open, long validated, long failed, long cancelled) {}
}
