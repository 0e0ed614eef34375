package dev.starling.coordinator.validation;

import dev.starling.coordinator.workunit.WorkUnitState;

/** A work unit as validation reads it, locked. */
record WorkUnitRow(long id, long jobId, int stage, long index, String app, WorkUnitState state, int quorum,
        int maxResults, int maxErrors, double cost, Long canonicalResultId, byte[] input) {
    boolean isOpen() {
        return state == WorkUnitState.OPEN;
    }

    QuorumRule.Limits limits() {
        return new QuorumRule.Limits(quorum, maxResults, maxErrors);
    }
}
