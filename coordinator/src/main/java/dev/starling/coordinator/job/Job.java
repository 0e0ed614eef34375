package dev.starling.coordinator.job;

import java.time.Instant;

/**
 * A job as stored. {@code paramsJson} and {@code resultJson} are JSON documents.
 *
 * @param researcherId who submitted it; null for the admin
 * @param maxFailedWorkUnits how many of its work units may fail with the job still succeeding (deployed apps)
 * @param reduceApp the deployed app version ({@code name@version}) of its reduce step, or null: its stages after the
 *     first are that step's levels
 * @param reduceJson the reduce step as fixed at submit ({@link ReduceStep}), or null
 * @param recheck its work units re-checked after a host that helped validate them failed a spot check, or null
 * @param retention what retention did to it: null while its work units and replicas are all there
 */
public record Job(
        long id,
        Long researcherId,
        String app,
        String paramsJson,
        JobState state,
        int priority,
        Redundancy redundancy,
        int deadlineSeconds,
        int stage,
        Long stageSize,
        long splitNext,
        boolean splitComplete,
        String resultJson,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        int maxFailedWorkUnits,
        String reduceApp,
        String reduceJson,
        Recheck recheck, Retention retention) {

    /**
     * Work units of a job re-opened because a host that helped validate them failed a spot check.
     *
     * @param workUnits how many were re-opened
     * @param overturned how many of them, validated again, got another canonical output than before
     * @param overturnedAt when the last of those was overturned, or null
     */
    public record Recheck(int workUnits, int overturned, java.time.Instant overturnedAt) {}

    /**
     * A job whose details (work units, replicas) are being or have been purged.
     *
     * @param summaryJson its counts, transfer totals and failed work units as they were before the purge
     * @param archiveBlob the archive of its details; null for a job deleted by its researcher
     * @param purgedAt when the last of its details was deleted; null while the purge goes on
     * @param deletedAt when its researcher deleted it ({@code DELETE /api/v1/jobs/{id}}); null if they did not
     */
    public record Retention(String summaryJson, String archiveBlob, Instant archivedAt, Instant purgedAt,
            Instant deletedAt) {}

    /** The app whose work units the given stage holds: the reduce step's from the second stage of a reducing job. */
    public String appOf(int stage) {
        return stage > 0 && reduceApp != null ? reduceApp : app;
    }
}
