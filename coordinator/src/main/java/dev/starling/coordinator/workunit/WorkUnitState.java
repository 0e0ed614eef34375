package dev.starling.coordinator.workunit;

/**
 * A work unit's states: exactly the values the {@code work_unit.state} CHECK constraint allows (the schema test
 * compares them). A work unit is OPEN from its split until the quorum rule closes it; it never opens again.
 */
public enum WorkUnitState {
    /** its replicas are being computed, reported and judged; the quorum rule decides what it needs next */
    OPEN,
    /** a quorum agreed: it has a canonical result; a later report is judged against it */
    VALIDATED,
    /** it reached its error or result limit; its job failed with it */
    FAILED,
    /** its job was cancelled, or failed by another of its work units */
    CANCELLED
}
