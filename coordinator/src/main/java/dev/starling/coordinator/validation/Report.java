package dev.starling.coordinator.validation;

/** One finished task as a worker reports it. */
public record Report(long resultId, Kind kind, byte[] output, String outputHash, long outputSize, String message,
        long cpuMillis) {

    public enum Kind {
        /** computed; output attached */
        SUCCESS,
        /** the app failed on this input */
        ERROR,
        /** the worker gives the task back without fault (shutdown): reissue, count nothing against the host */
        GIVEN_BACK
    }
}
