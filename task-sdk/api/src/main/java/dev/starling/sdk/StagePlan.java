package dev.starling.sdk;

/**
 * The work units of one stage, by index. Implementations compute each work unit from its index on
 * demand, so that a stage of a million work units never exists in memory all at once.
 */
public interface StagePlan {

    /** How many work units the stage has (at least 1). */
    long size();

    /** The work unit at {@code index} (0 <= index < size()); the same answer every time it is asked. */
    WorkUnitSpec workUnit(long index);
}
