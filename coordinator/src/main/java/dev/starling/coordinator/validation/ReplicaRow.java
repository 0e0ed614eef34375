package dev.starling.coordinator.validation;

/** One replica of a work unit as validation reads it ({@code output} only for successful ones). */
record ReplicaRow(long id, Long hostId, String state, byte[] output, String outputHash, String error) {
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
