package dev.starling.sdk;

/**
 * The output a quorum agreed on for one work unit.
 *
 * @param stage the work unit's stage
 * @param index the work unit's index within the stage
 * @param output the canonical output bytes
 */
public record CanonicalOutput(int stage, long index, byte[] output) {}
