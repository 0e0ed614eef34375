package dev.starling.sdk;

import java.util.Objects;

/**
 * A planned work unit.
 *
 * @param input the app-encoded input handed to {@link App#compute}
 * @param cost the credit a valid result for it earns, in cobblestones-like units the app declares
 *     (not the CPU time a worker claims); must be finite and >= 0
 */
public record WorkUnitSpec(byte[] input, double cost) {
    public WorkUnitSpec {
        Objects.requireNonNull(input, "input");
        if (!(cost >= 0) || Double.isInfinite(cost)) {
            throw new IllegalArgumentException("cost must be finite and >= 0: " + cost);
        }
    }
}
