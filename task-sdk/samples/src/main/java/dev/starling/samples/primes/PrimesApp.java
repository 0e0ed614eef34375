package dev.starling.samples.primes;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CancelledException;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Counts the primes in a range of numbers. Each work unit counts the primes of one sub-range with a
 * segmented sieve of Eratosthenes and outputs the count as decimal text; the result is their sum.
 * Integer arithmetic only, so replicas must agree byte for byte (the default {@link #equivalent}).
 */
public final class PrimesApp implements App {
    static final long MAX_TO = 1_000_000_000_000L;
    static final long MAX_WORK_UNITS = 10_000_000;

    private static final AppInfo INFO = new AppInfo("primes", "1",
            "Counts the primes p with from <= p < to (to at most 10^12) by a segmented sieve of Eratosthenes."
                    + " Each work unit sieves chunkSize numbers; replicas must agree exactly."
                    + " Credit: 1 per million numbers sieved. Result: {\"count\": N}.",
            List.of(
                    ParamSpec.integer("from", "first number of the range, included").withRange(0.0, null),
                    ParamSpec.integer("to", "end of the range, excluded; greater than from, at most 10^12")
                            .withRange(null, (double) MAX_TO),
                    ParamSpec.integer("chunkSize", "numbers per work unit; at most 10^7 work units per job")
                            .withDefault(1_000_000L)
                            .withRange(1000.0, null)));

    @Override
    public AppInfo info() {
        return INFO;
    }

    @Override
    public List<ParamError> validate(JobParams params) {
        long from = params.getLong("from");
        long to = params.getLong("to");
        long chunkSize = params.getLong("chunkSize");
        if (from >= to) {
            return List.of(new ParamError("to", "must be greater than from (" + from + ")"));
        }
        long workUnits = Math.ceilDiv(to - from, chunkSize);
        if (workUnits > MAX_WORK_UNITS) {
            return List.of(new ParamError("chunkSize", "gives " + workUnits + " work units, more than "
                    + MAX_WORK_UNITS + "; use at least " + Math.ceilDiv(to - from, MAX_WORK_UNITS)));
        }
        return List.of();
    }

    @Override
    public StagePlan split(JobParams params) {
        long from = params.getLong("from");
        long to = params.getLong("to");
        long chunkSize = params.getLong("chunkSize");
        long size = Math.ceilDiv(to - from, chunkSize);
        return StagePlan.of(size, index -> {
            long lo = from + index * chunkSize;
            Range range = new Range(lo, Math.min(to, lo + chunkSize));
            return new WorkUnitSpec(range.encode(), range.length() / 1e6);
        });
    }

    /**
     * Sieves the work unit's range one segment at a time (about half a million numbers, a millisecond of work),
     * checking for cancellation and reporting progress between segments, and saving a checkpoint (position, count
     * so far) whenever the worker says one is due. Long mode: with a {@code chunkSize} of 10^10 or more a work
     * unit takes ten seconds of CPU or more, and a worker that is killed resumes it from its last checkpoint.
     */
    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        Range range = Range.decode(workUnit.input());
        Checkpoint start = context.checkpoint()
                .flatMap(state -> Checkpoint.decode(state, range))
                .orElse(new Checkpoint(range.lo(), 0));
        long next = start.next();
        long count = start.count();
        int[] basePrimes = Sieve.oddPrimesUpTo((int) Sieve.isqrt(range.hi() - 1));
        byte[] segment = new byte[Sieve.segmentBytes(range.length())]; // a small range needs less than a segment
        while (next < range.hi()) {
            if (context.isCancelled()) {
                throw new CancelledException();
            }
            long end = Math.min(range.hi(), next + Sieve.SEGMENT_SPAN);
            count += Sieve.countPrimes(next, end, basePrimes, segment);
            next = end;
            context.progress((double) (next - range.lo()) / range.length());
            if (next < range.hi() && context.checkpointDue()) {
                context.saveCheckpoint(new Checkpoint(next, count).encode());
            }
        }
        context.output().write(Long.toString(count).getBytes(UTF_8));
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        long count = outputs.mapToLong(o -> Long.parseLong(new String(o.output(), UTF_8))).sum();
        return Map.of("count", count);
    }

    /** How far a work unit got: the primes below {@code next} in its range number {@code count}. */
    record Checkpoint(long next, long count) {
        byte[] encode() {
            return ByteBuffer.allocate(2 * Long.BYTES).putLong(next).putLong(count).array();
        }

        /** The checkpoint, or empty when it does not belong to this range (then the work unit starts over). */
        static Optional<Checkpoint> decode(byte[] state, Range range) {
            if (state.length != 2 * Long.BYTES) {
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.wrap(state);
            long next = buffer.getLong();
            long count = buffer.getLong();
            boolean fits = next >= range.lo() && next <= range.hi() && count >= 0 && count <= next - range.lo();
            return fits ? Optional.of(new Checkpoint(next, count)) : Optional.empty();
        }
    }
}
