package dev.starling.sdk;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * The work units of one stage, by index. Implementations compute each work unit from its index on
 * demand, so that a stage of a million work units never exists in memory all at once.
 */
public interface StagePlan {

    /** How many work units the stage has (at least 1). */
    long size();

    /** The work unit at {@code index} (0 <= index < size()); the same answer every time it is asked. */
    WorkUnitSpec workUnit(long index);

    /**
     * A plan of {@code size} work units made by {@code workUnit} from each index; asking for an index
     * outside {@code [0, size)} throws {@link IndexOutOfBoundsException}.
     */
    static StagePlan of(long size, LongFunction<WorkUnitSpec> workUnit) {
        if (size < 1) {
            throw new IllegalArgumentException("a stage has at least one work unit, not " + size);
        }
        Objects.requireNonNull(workUnit, "workUnit");
        return new StagePlan() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public WorkUnitSpec workUnit(long index) {
                Objects.checkIndex(index, size);
                return workUnit.apply(index);
            }
        };
    }
}
