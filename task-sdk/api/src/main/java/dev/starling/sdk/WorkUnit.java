package dev.starling.sdk;

import java.util.Objects;

/**
 * One piece of a job, as an app computes it.
 *
 * @param stage the stage it belongs to (0 for the first; multi-stage apps plan later stages)
 * @param index its index within the stage
 * @param input the app-encoded input its stage plan gave it
 */
public record WorkUnit(int stage, long index, byte[] input) {
    public WorkUnit {
        Objects.requireNonNull(input, "input");
        if (stage < 0 || index < 0) {
            throw new IllegalArgumentException("stage and index must be >= 0");
        }
    }
}
