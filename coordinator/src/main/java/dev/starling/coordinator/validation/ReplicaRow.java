package dev.starling.coordinator.validation;

/**
 * One replica of a work unit as validation reads it ({@code output} only for successful ones).
 *
 * @param quarantined sent to a host in quarantine: it counts toward a quorum only beside a host in good standing
 */
record ReplicaRow(long id, Long hostId, String state, byte[] output, String outputHash, String error,
        boolean quarantined) {
    boolean isSuccess() {
        return state.equals("REPORTED") || state.equals("INCONCLUSIVE");
    }

    boolean isPending() {
        return state.equals("UNSENT") || state.equals("IN_PROGRESS");
    }

    boolean isError() {
        return state.equals("ERROR") || state.equals("TIMED_OUT");
    }
}
