package dev.starling.coordinator.job;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/jobs}. Everything but {@code app} and {@code params} is optional.
 *
 * @param redundancy defaults: quorum 2, initialReplicas = quorum, maxResults max(6, 3 * quorum), maxErrors 3, adaptive
 *     the project's (adaptive replication: a long-trusted host's result may stand alone)
 * @param deadlineSeconds how long a host has to report a task (default 600; for a deployed app at least twice its
 *     maxCpuSeconds, by default four times, at least 600)
 * @param priority among the researcher's own jobs, higher dispatches first (default 0, from -1000 to 1000)
 * @param maxFailedWorkUnits how many work units of a deployed app's job may fail with the job still succeeding
 *     (default 0)
 * @param reduce a deployed app's job's reduce step: a deployed app version ({@code name@version}, or a name for its
 *     newest enabled release) that the caller may run, run on workers over the canonical outputs once every work unit
 *     is decided, with these arguments; its output is the job's result
 */
public record SubmitJobRequest(
        String app, Map<String, Object> params, RedundancyRequest redundancy, Integer deadlineSeconds, Integer priority,
        Integer maxFailedWorkUnits, ReduceRequest reduce) {

    public record ReduceRequest(String app, List<String> args) {}

    public record RedundancyRequest(Integer quorum, Integer initialReplicas, Integer maxResults, Integer maxErrors,
            Boolean adaptive) {}
}
