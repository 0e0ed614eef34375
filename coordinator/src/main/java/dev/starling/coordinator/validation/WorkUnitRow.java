package dev.starling.coordinator.validation;

import dev.starling.coordinator.workunit.WorkUnitState;

/**
 * A work unit as validation reads it, locked.
 *
 * @param rechecking re-opened because a host that helped validate it failed a spot check
 */
record WorkUnitRow(long id, long jobId, int stage, long index, String app, WorkUnitState state, int quorum,
        int maxResults, int maxErrors, double cost, Long canonicalResultId, byte[] input, boolean rechecking) {
    boolean isOpen() {
        return state == WorkUnitState.OPEN;
    }

    /**
     * The work unit as re-opening it leaves it: open, no canonical result, being re-checked, with the bound on its
     * results re-opening gave it.
     */
    WorkUnitRow reopened(int newMaxResults) {
        return new WorkUnitRow(id, jobId, stage, index, app, WorkUnitState.OPEN, quorum, newMaxResults, maxErrors,
                cost, null, input, true);
    }

    QuorumRule.Limits limits() {
        return new QuorumRule.Limits(quorum, maxResults, maxErrors);
    }
}
