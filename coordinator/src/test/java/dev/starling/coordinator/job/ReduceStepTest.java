package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape of a reduce step's tree: when it is one work unit, fan-in, bounds and the order of its inputs. */
class ReduceStepTest {
    private static final long MIB = 1 << 20;
    /** fan-in 4; one work unit alone takes at most 10 outputs and 1 MiB */
    private final ReduceStep step = new ReduceStep(List.of("--reduce"), 4, 10, MIB);

    @Test
    void fewAndSmallOutputsAreReducedByOneWorkUnit() {
        assertThat(step.levelSize(10, 10, MIB)).isEqualTo(1);
        assertThat(step.levelSize(1, 1, 100 * MIB)).as("one output, however large").isEqualTo(1);
        assertThat(step.levelSize(4, 4, 100 * MIB)).as("no more than the fan-in: a tree would not be smaller")
                .isEqualTo(1);
        assertThat(step.levelSize(0, 0, 0)).isEqualTo(1);
        assertThat(step.levelSize(1000, 0, 0)).as("every work unit failed: nothing to reduce but once")
                .isEqualTo(1);
    }

    @Test
    void moreOutputsOrMoreBytesThanTheBoundsMakeALevelOfTheFanIn() {
        assertThat(step.levelSize(11, 11, 100)).isEqualTo(3);
        assertThat(step.levelSize(10, 10, MIB + 1)).isEqualTo(3);
        assertThat(step.levelSize(12, 12, MIB + 1)).isEqualTo(3);
        assertThat(step.levelSize(13, 13, MIB + 1)).isEqualTo(4);
        assertThat(step.levelSize(10_000_000, 10_000_000, 0)).isEqualTo(2_500_000);
    }

    @Test
    void levelsShrinkToOneWhateverTheirSize() {
        for (long units : List.of(5L, 11L, 64L, 1000L, 1_000_001L)) {
            List<Long> sizes = levels(units);
            assertThat(sizes.getLast()).as("%s", sizes).isEqualTo(1);
            for (int i = 1; i < sizes.size(); i++) {
                assertThat(sizes.get(i)).isLessThan(sizes.get(i - 1));
            }
        }
        assertThat(levels(1000)).containsExactly(250L, 63L, 16L, 4L, 1L);
        assertThat(levels(11)).containsExactly(3L, 1L);
    }

    /** The sizes of the levels over {@code units} outputs of 1 MiB each. */
    private List<Long> levels(long units) {
        List<Long> sizes = new ArrayList<>();
        long below = units;
        do {
            below = step.levelSize(below, below, below * MIB);
            sizes.add(below);
        } while (below > 1);
        return sizes;
    }

    @Test
    void aWorkUnitOfATreeTakesTheNextFanInIndicesBelowInOrderAndTheLastOneTakesAll() {
        assertThat(step.inputs(3, 0)).isEqualTo(new ReduceStep.Inputs(0, 4));
        assertThat(step.inputs(3, 1)).isEqualTo(new ReduceStep.Inputs(4, 8));
        assertThat(step.inputs(3, 2)).isEqualTo(new ReduceStep.Inputs(8, 12));
        assertThat(step.inputs(1, 0)).isEqualTo(new ReduceStep.Inputs(0, Long.MAX_VALUE));
        assertThatThrownBy(() -> step.inputs(3, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        // every index below is taken by exactly one work unit of the level
        long below = 4_097;
        long size = step.levelSize(below, below, 0);
        long next = 0;
        for (long i = 0; i < size; i++) {
            ReduceStep.Inputs inputs = step.inputs(size, i);
            assertThat(inputs.from()).isEqualTo(next);
            next = inputs.to();
        }
        assertThat(next).isGreaterThanOrEqualTo(below).isLessThan(below + step.fanIn());
    }

    @Test
    void aStepNeedsAFanInOfTwoAndBounds() {
        assertThatThrownBy(() -> new ReduceStep(List.of(), 1, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReduceStep(List.of(), 2, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReduceStep(List.of(), 2, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
