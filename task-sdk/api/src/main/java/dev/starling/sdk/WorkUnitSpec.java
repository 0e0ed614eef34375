package dev.starling.sdk;

import java.util.List;
import java.util.Objects;

/**
 * A planned work unit.
 *
 * @param input the app-encoded input handed to {@link App#compute}
 * @param cost the credit a valid result for it earns, in cobblestones-like units the app declares
 *     (not the CPU time a worker claims), in proportion to the work it takes: workers estimate a task's run
 *     time from it; must be finite and >= 0
 * @param blobs the blobs it reads (content addresses: uploaded inputs named by blob parameters, or blobs a
 *     previous stage stored): the worker fetches and verifies them, from peers when it can, before
 *     {@link App#compute} runs, and {@link TaskContext#openBlob} opens them
 */
public record WorkUnitSpec(byte[] input, double cost, List<String> blobs) {
    public WorkUnitSpec {
        Objects.requireNonNull(input, "input");
        if (!(cost >= 0) || Double.isInfinite(cost)) {
            throw new IllegalArgumentException("cost must be finite and >= 0: " + cost);
        }
        blobs = WorkUnit.checkBlobs(blobs);
    }

    /** A work unit that reads no blobs. */
    public WorkUnitSpec(byte[] input, double cost) {
        this(input, cost, List.of());
    }
}
