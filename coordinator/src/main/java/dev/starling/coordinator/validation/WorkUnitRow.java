package dev.starling.coordinator.validation;

/** A work unit as validation reads it, locked. */
record WorkUnitRow(long id, long jobId, int stage, long index, String app, String state, int quorum, int maxResults,
        int maxErrors, double cost, Long canonicalResultId, byte[] input) {
    boolean isOpen() {
        return state.equals("OPEN");
    }
}
