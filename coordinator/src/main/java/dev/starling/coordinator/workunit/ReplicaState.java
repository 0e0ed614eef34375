package dev.starling.coordinator.workunit;

/**
 * A replica's states (a row of the {@code result} table): exactly the values the {@code result.state} CHECK
 * constraint allows (the schema test compares them).
 *
 * <pre>
 * UNSENT -> IN_PROGRESS -> REPORTED | ERROR | TIMED_OUT        (a task given back goes back to UNSENT)
 *                          TIMED_OUT -> REPORTED                (a late report, while its work unit is open or
 *                                                                 validated: then judged against the canonical one)
 *                          REPORTED -> VALID | INVALID | INCONCLUSIVE -> VALID | INVALID
 * UNSENT, IN_PROGRESS -> CANCELLED                              (its work unit was decided, or its job cancelled)
 * </pre>
 */
public enum ReplicaState {
    /** waiting in the queue for a host */
    UNSENT,
    /** given to a host (a task), under a lease its heartbeats extend up to the report deadline */
    IN_PROGRESS,
    /** reported with an output, not judged yet */
    REPORTED,
    /** reported as failed by its host (or its output was malformed) */
    ERROR,
    /** its lease ran out without a report; a late report may still make it REPORTED */
    TIMED_OUT,
    /** in the group the quorum agreed on: it earned credit */
    VALID,
    /** outvoted by the quorum, or judged late against the canonical output and found different */
    INVALID,
    /** reported, but no quorum agreed yet: waiting for a tie-breaker */
    INCONCLUSIVE,
    /** no longer needed */
    CANCELLED;

    /** Reported with an output and not judged final: it counts toward a quorum. */
    public boolean isSuccess() {
        return this == REPORTED || this == INCONCLUSIVE;
    }

    /** Still to be computed: it may yet count. */
    public boolean isPending() {
        return this == UNSENT || this == IN_PROGRESS;
    }

    /** Counts against the work unit's error limit. */
    public boolean isError() {
        return this == ERROR || this == TIMED_OUT;
    }
}
