package dev.starling.coordinator.validation;

import java.util.List;
import java.util.Map;

/**
 * One finished task as a worker reports it.
 *
 * @param produced the blobs a success stored on the worker, id to size
 * @param missing the input blobs an {@link Kind#INPUT_UNAVAILABLE} task could not get
 * @param bytesFromPeers what the worker fetched from peers for the task's inputs
 */
public record Report(long resultId, Kind kind, byte[] output, String outputHash, long outputSize, String message,
        long cpuMillis, Map<String, Long> produced, List<String> missing, long bytesFromPeers) {

    /** A report that names no blobs. */
    public Report(long resultId, Kind kind, byte[] output, String outputHash, long outputSize, String message,
            long cpuMillis) {
        this(resultId, kind, output, outputHash, outputSize, message, cpuMillis, Map.of(), List.of(), 0);
    }

    public enum Kind {
        /** computed; output attached */
        SUCCESS,
        /** the app failed on this input */
        ERROR,
        /** the worker gives the task back without fault (shutdown): reissue, count nothing against the host */
        GIVEN_BACK,
        /** an input could be fetched from nobody: given back without fault; its holders are checked (lineage) */
        INPUT_UNAVAILABLE
    }
}
