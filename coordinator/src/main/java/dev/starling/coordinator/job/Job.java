package dev.starling.coordinator.job;

import java.time.Instant;

/**
 * A job as stored. {@code paramsJson} and {@code resultJson} are JSON documents.
 *
 * @param researcherId who submitted it; null for the admin
 * @param maxFailedWorkUnits how many of its work units may fail with the job still succeeding (deployed apps)
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
        int maxFailedWorkUnits) {}
