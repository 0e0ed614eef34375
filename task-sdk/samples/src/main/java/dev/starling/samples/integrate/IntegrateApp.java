package dev.starling.samples.integrate;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Integrates a function over [a, b] with the composite Simpson rule, each work unit taking an even
 * number of the sub-intervals. It computes with {@link Math#sin} and {@link Math#exp}, which may differ
 * by an ulp between machines (and between the interpreter and JIT intrinsics), so outputs of different
 * hosts may legitimately differ in the last digits: {@link #equivalent} accepts a stated tolerance.
 */
public final class IntegrateApp implements App {
    /** Replicas agree when |x - y| <= TOLERANCE * max(1, |x|, |y|). */
    static final double TOLERANCE = 1e-9;
    private static final long MAX_WORK_UNITS = 1_000_000;
    /** Points between two looks at cancellation and progress. */
    private static final int POINTS_PER_STEP = 1 << 16;

    private static final AppInfo INFO = new AppInfo("integrate", "1",
            "Integrates a function over [a, b] by the composite Simpson rule with `intervals` sub-intervals,"
                    + " computed in `workUnits` pieces. Functions: " + Integrand.menu() + "."
                    + " Floating-point results may differ by rounding between machines, so two results of a"
                    + " work unit agree when |x - y| <= 1e-9 * max(1, |x|, |y|)."
                    + " Credit: 1 per million function evaluations."
                    + " Result: {\"integral\": value, \"function\": name, \"a\": a, \"b\": b}.",
            List.of(
                    ParamSpec.string("function", "the integrand, one of: " + Integrand.menu()),
                    ParamSpec.number("a", "lower limit of integration"),
                    ParamSpec.number("b", "upper limit of integration, greater than a"),
                    ParamSpec.integer("intervals", "sub-intervals of Simpson's rule in total; even")
                            .withDefault(10_000_000L)
                            .withRange(2.0, 1e12),
                    ParamSpec.integer("workUnits", "pieces the sub-intervals are split into; at most intervals / 2")
                            .withDefault(100L)
                            .withRange(1.0, (double) MAX_WORK_UNITS)));

    @Override
    public AppInfo info() {
        return INFO;
    }

    @Override
    public List<ParamError> validate(JobParams params) {
        List<ParamError> errors = new ArrayList<>();
        if (Integrand.byId(params.getString("function")).isEmpty()) {
            errors.add(new ParamError("function", "must be one of: " + Integrand.menu()));
        }
        double a = params.getDouble("a");
        double b = params.getDouble("b");
        if (!(a < b)) {
            errors.add(new ParamError("b", "must be greater than a (" + a + ")"));
        } else if (!Double.isFinite(b - a)) {
            errors.add(new ParamError("b", "b - a is too large for a double"));
        }
        long intervals = params.getLong("intervals");
        if (intervals % 2 != 0) {
            errors.add(new ParamError("intervals", "must be even"));
        } else if (params.getLong("workUnits") > intervals / 2) {
            errors.add(new ParamError("workUnits", "must be at most intervals / 2 (" + intervals / 2 + ")"));
        }
        return errors;
    }

    /** Work unit i takes an even share of the sub-intervals: pairs [i P / W, (i + 1) P / W) of P pairs. */
    @Override
    public StagePlan split(JobParams params) {
        Integrand function = Integrand.byId(params.getString("function")).orElseThrow();
        double a = params.getDouble("a");
        double b = params.getDouble("b");
        long intervals = params.getLong("intervals");
        long size = params.getLong("workUnits");
        long pairs = intervals / 2;
        return StagePlan.of(size, index -> {
            // pairs * index fits in a long: pairs <= 5 * 10^11, index < 10^6
            long from = 2 * (pairs * index / size);
            long to = 2 * (pairs * (index + 1) / size);
            Piece piece = new Piece(function, a, b, intervals, from, to);
            return new WorkUnitSpec(piece.encode(), (to - from + 1) / 1e6);
        });
    }

    /** Simpson's rule on the piece: h/3 (f(x_from) + 4 f(x_from+1) + 2 f(x_from+2) + ... + f(x_to)). */
    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        Piece piece = Piece.decode(workUnit.input());
        Sum sum = new Sum();
        for (long k = piece.from(); k <= piece.to(); k++) {
            long offset = k - piece.from();
            if (offset % POINTS_PER_STEP == 0 && offset > 0) {
                if (context.isCancelled()) {
                    throw new CancelledException();
                }
                context.progress((double) offset / (piece.to() - piece.from() + 1));
            }
            int weight = k == piece.from() || k == piece.to() ? 1 : offset % 2 == 1 ? 4 : 2;
            sum.add(weight * piece.function().at(piece.x(k)));
        }
        double h = (piece.b() - piece.a()) / piece.intervals();
        context.output().write(Double.toString(h / 3 * sum.value()).getBytes(UTF_8));
    }

    /**
     * True when both outputs are finite decimal numbers within the tolerance. Output that does not parse
     * as one is equivalent to no other output; it stays equivalent to an identical copy of itself, as
     * {@link App#equivalent} requires (the coordinator treats equal hashes as agreement before asking).
     * Never throws.
     */
    @Override
    public boolean equivalent(WorkUnit workUnit, byte[] a, byte[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        double x = parse(a);
        double y = parse(b);
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return false;
        }
        return Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        Sum integral = new Sum();
        outputs.forEach(o -> integral.add(Double.parseDouble(new String(o.output(), UTF_8))));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("integral", integral.value());
        result.put("function", params.getString("function"));
        result.put("a", params.getDouble("a"));
        result.put("b", params.getDouble("b"));
        return result;
    }

    /** The output as a finite double, or NaN when it is not one. */
    private static double parse(byte[] output) {
        if (output.length == 0 || output.length > 32) {
            return Double.NaN;
        }
        try {
            double value = Double.parseDouble(new String(output, UTF_8));
            return Double.isFinite(value) ? value : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Neumaier's compensated sum: the rounding error of a long sum stays near one ulp of the result. */
    private static final class Sum {
        private double sum;
        private double compensation;

        void add(double value) {
            double t = sum + value;
            compensation += Math.abs(sum) >= Math.abs(value) ? (sum - t) + value : (value - t) + sum;
            sum = t;
        }

        double value() {
            return sum + compensation;
        }
    }
}
