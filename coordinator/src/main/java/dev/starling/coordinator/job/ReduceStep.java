package dev.starling.coordinator.job;

import java.util.List;
import java.util.Objects;

/**
 * A job's reduce step as fixed when it is submitted (stored in {@code job.reduce}): the arguments its app runs with,
 * and the shape of its tree. Stage 0 of such a job holds its app's work units; every later stage is a level of the
 * reduce step, each work unit of which reduces the canonical outputs of a run of consecutive work units of the stage
 * below, in index order. When a stage's outputs are few and small enough ({@code maxInputs}, {@code maxInputBytes}),
 * or its work units no more than {@code fanIn}, the next level is one work unit over them all: the last level, whose
 * output is the job's result. Otherwise the next level has one work unit per {@code fanIn} work units below.
 *
 * <p>A pure function of these numbers and the stage's totals, so that the completer, which plans a level's size, and
 * the splitter, which writes its work units (again after a crash), agree.
 */
public record ReduceStep(List<String> args, int fanIn, long maxInputs, long maxInputBytes) {
    /** As a deployed app's work unit's arguments (and what a worker takes). */
    static final int MAX_ARGS = 1000;
    static final int MAX_ARG_LENGTH = 4096;
    /** The most bytes a worker reads as a task's standard input (the worker's {@code DeployedTask}). */
    static final long MAX_INPUT_BYTES = 64L << 20;

    public ReduceStep {
        args = List.copyOf(args);
        if (fanIn < 2 || maxInputs < 1 || maxInputBytes < 1) {
            throw new IllegalArgumentException("a reduce step needs a fan-in of at least 2 and bounds of at least 1");
        }
    }

    /**
     * How many work units the level over a stage has; 1 makes it the last.
     *
     * @param workUnits the stage's work units, validated or failed
     * @param outputs its canonical outputs (its validated work units)
     * @param outputBytes their size
     */
    long levelSize(long workUnits, long outputs, long outputBytes) {
        if (workUnits <= fanIn || (outputs <= maxInputs && outputBytes <= maxInputBytes)) {
            return 1;
        }
        return Math.ceilDiv(workUnits, fanIn);
    }

    /** The indices of the work units below whose outputs work unit {@code index} of a level of {@code size} reduces. */
    Inputs inputs(long size, long index) {
        Objects.checkIndex(index, size);
        return size == 1 ? new Inputs(0, Long.MAX_VALUE) : new Inputs(index * fanIn, (index + 1) * fanIn);
    }

    /** Work unit indices {@code from} (inclusive) to {@code to} (exclusive) of the stage below. */
    record Inputs(long from, long to) {}
}
