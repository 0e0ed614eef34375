package dev.starling.coordinator.job;

import java.util.Map;

/**
 * The body of {@code POST /api/v1/jobs}. Everything but {@code app} and {@code params} is optional.
 *
 * @param redundancy defaults: quorum 2, initialReplicas = quorum, maxResults max(6, 3 * quorum), maxErrors 3
 * @param deadlineSeconds how long a host has to report a task (default 600)
 * @param priority higher dispatches first (default 0, from -1000 to 1000)
 */
public record SubmitJobRequest(
        String app, Map<String, Object> params, RedundancyRequest redundancy, Integer deadlineSeconds, Integer priority) {

    public record RedundancyRequest(Integer quorum, Integer initialReplicas, Integer maxResults, Integer maxErrors) {}
}
