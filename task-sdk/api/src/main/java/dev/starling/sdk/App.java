package dev.starling.sdk;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A named computation that Starling distributes: how to split a job into work units, compute one work
 * unit, tell whether two outputs agree, and assimilate the canonical outputs into the job's result.
 *
 * <p>Apps are found with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.starling.sdk.App}. An app must be stateless and thread-safe: the
 * coordinator and the worker call one instance from many threads, on different machines.
 */
public interface App {

    /** Name, description and parameters, as shown by {@code GET /api/v1/apps}. */
    AppInfo info();

    /**
     * Cross-field checks on parameters that already passed their {@link ParamSpec}s (for example
     * {@code from < to}). Each problem names its parameter. Called before anything is stored.
     */
    default List<ParamError> validate(JobParams params) {
        return List.of();
    }

    /**
     * Plans stage 0 of a job. The plan is random access: the coordinator asks for work units by index,
     * in batches, and may ask for the same index again after a crash, so {@link StagePlan#workUnit}
     * must be a pure function of the index.
     */
    StagePlan split(JobParams params);

    /**
     * Plans the stage after {@code completedStage} from its canonical outputs, or returns empty when
     * the job is complete. Single-stage apps keep the default.
     */
    default Optional<StagePlan> nextStage(JobParams params, int completedStage, Stream<CanonicalOutput> outputs) {
        return Optional.empty();
    }

    /**
     * Computes one work unit, writing its output to {@link TaskContext#output()}. Throwing reports an
     * error for this replica (the work unit is retried elsewhere, up to its error limit).
     */
    void compute(WorkUnit workUnit, TaskContext context) throws Exception;

    /**
     * Whether two outputs of the same work unit agree. The default is byte equality; apps whose outputs
     * may differ in floating-point noise across machines accept a stated tolerance instead. Must be
     * reflexive and symmetric.
     */
    default boolean equivalent(WorkUnit workUnit, byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    /**
     * Combines the canonical outputs of the last stage, in work unit index order, into the job's result.
     * The stream is read once and may hold millions of outputs: fold, do not collect.
     *
     * @return the result: a JSON-like tree of {@link Map}, {@link List}, {@link String}, {@link Number},
     *     {@link Boolean} and {@code null}
     */
    Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs);
}
