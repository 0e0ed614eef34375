package dev.starling.coordinator.job;

/**
 * How many replicas of each work unit are computed and how many must agree.
 *
 * @param quorum successful results that must agree for a work unit to be validated
 * @param initialReplicas replicas created for each work unit up front
 * @param maxResults the most results a work unit may ever have (replacements included)
 * @param maxErrors the work unit fails when this many of its results have errored or timed out
 * @param adaptive whether a long-trusted host's result may stand alone (adaptive replication; the project's
 *     {@code starling.adaptive-replication.enabled} when the job does not say)
 */
public record Redundancy(int quorum, int initialReplicas, int maxResults, int maxErrors, boolean adaptive) {}
