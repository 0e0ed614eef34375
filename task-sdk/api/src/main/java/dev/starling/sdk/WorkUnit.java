package dev.starling.sdk;

import java.util.List;
import java.util.Objects;

/**
 * One piece of a job, as an app computes it.
 *
 * @param stage the stage it belongs to (0 for the first; multi-stage apps plan later stages)
 * @param index its index within the stage
 * @param input the app-encoded input its stage plan gave it
 * @param blobs the blobs its stage plan said it reads ({@link WorkUnitSpec#blobs}), held by the worker
 */
public record WorkUnit(int stage, long index, byte[] input, List<String> blobs) {
    public WorkUnit {
        Objects.requireNonNull(input, "input");
        if (stage < 0 || index < 0) {
            throw new IllegalArgumentException("stage and index must be >= 0");
        }
        blobs = checkBlobs(blobs);
    }

    /** A work unit that reads no blobs. */
    public WorkUnit(int stage, long index, byte[] input) {
        this(stage, index, input, List.of());
    }

    static List<String> checkBlobs(List<String> blobs) {
        List<String> copy = List.copyOf(Objects.requireNonNull(blobs, "blobs"));
        for (String id : copy) {
            if (!ContentAddress.isValid(id)) {
                throw new IllegalArgumentException("not a blob id (sha256:<64 hex digits>): " + id);
            }
        }
        if (copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("a blob is listed twice: " + copy);
        }
        return copy;
    }
}
