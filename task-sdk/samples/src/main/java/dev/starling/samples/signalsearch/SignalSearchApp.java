package dev.starling.samples.signalsearch;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SETI@home in miniature: finds narrowband tones, steady or drifting linearly in frequency, buried in the
 * noise of a recording. Every work unit reads the whole recording, computes its spectrogram
 * ({@link Spectrogram}) and searches one slice of the drift rates ({@link DriftSearch}) on the grid that
 * {@link Grid} lays out; {@code assimilate} merges the candidates of all slices ({@link Candidate#distinct}).
 * {@code docs/signal-search.md} explains the algorithm, its parameters and its costs.
 *
 * <p>The arithmetic is deterministic (IEEE doubles, no fused operations, tabulated FFT twiddles, the window
 * by {@link StrictMath}), so replicas normally agree to the bit; {@link #equivalent} still accepts floating
 * point noise of {@value #TOLERANCE} relative, should an FFT library or JVM ever round differently.
 */
public final class SignalSearchApp implements App {
    public static final String NAME = "signal-search";
    /** Relative tolerance on snr (and grid) between replicas. */
    static final double TOLERANCE = 1e-6;
    /** The most candidates one work unit reports, strongest first. */
    static final int MAX_CANDIDATES = 100;
    static final int MAX_WORK_UNITS = 1000;
    /** Progress share of the spectrogram; the drift search takes the rest. */
    private static final double SPECTROGRAM_SHARE = 0.8;

    private static final AppInfo INFO = new AppInfo(NAME, "1",
            "Finds narrowband tones, steady or drifting linearly in frequency, in a recording (float32"
                    + " little-endian mono samples): a spectrogram by Hann-windowed FFTs of `fftLength` samples,"
                    + " summed into `timeSteps` rows, then the power along every straight track of every drift rate"
                    + " (incoherent de-drifting), scored against the median and MAD of its drift rate's tracks."
                    + " Every work unit reads the whole recording and searches 1/`workUnits` of the drift rates."
                    + " Two results of a work unit agree when their candidates match within one bin and one drift"
                    + " step with snr equal within a relative 1e-6 (candidates within 1e-6 of the threshold or of"
                    + " the weakest of a full list may be missing on one side). Credit: 1 per work unit."
                    + " Result: {\"candidates\": [{\"frequencyHz\": f, \"driftHzPerSecond\": d, \"snr\": s}, ...]},"
                    + " strongest first, f at the start of the recording; see docs/signal-search.md.",
            List.of(
                    ParamSpec.blob("recording", "the recording: mono samples as 32-bit floats, little-endian,"
                            + " at least fftLength of them"),
                    ParamSpec.number("sampleRate", "samples per second of the recording, Hz").withRange(1.0, 1e12),
                    ParamSpec.integer("workUnits", "work units the drift rates are split into, 1 to 1000;"
                                    + " each reads the whole recording")
                            .withDefault(8L)
                            .withRange(1.0, (double) MAX_WORK_UNITS),
                    ParamSpec.integer("fftLength", "samples per FFT, a power of two from 128 to 2^20; the frequency"
                                    + " resolution is sampleRate / fftLength")
                            .withDefault(4096L)
                            .withRange(128.0, (double) (1 << 20)),
                    ParamSpec.integer("timeSteps", "rows the spectra are summed into, 1 to 4096; drift rates are"
                                    + " searched up to one frequency bin per row")
                            .withDefault(256L)
                            .withRange(1.0, 4096.0),
                    ParamSpec.number("maxDrift", "largest |drift rate| searched, Hz/s; default (and upper limit):"
                                    + " one frequency bin per time step")
                            .withDefault(null)
                            .withRange(0.0, null),
                    ParamSpec.number("snrThreshold", "the least signal-to-noise ratio reported, in standard"
                                    + " deviations of the noise")
                            .withDefault(10.0)
                            .withRange(5.0, 1e6)));

    @Override
    public AppInfo info() {
        return INFO;
    }

    @Override
    public List<ParamError> validate(JobParams params) {
        long fftLength = params.getLong("fftLength");
        if (Long.bitCount(fftLength) != 1) {
            return List.of(new ParamError("fftLength", "must be a power of two (" + Long.highestOneBit(fftLength)
                    + " or " + 2 * Long.highestOneBit(fftLength) + ")"));
        }
        return List.of();
    }

    @Override
    public StagePlan split(JobParams params) {
        int slices = (int) params.getLong("workUnits");
        List<String> recording = List.of(params.getString("recording"));
        double maxDrift = params.has("maxDrift") ? params.getDouble("maxDrift") : Double.NaN;
        return StagePlan.of(slices, index -> {
            Search search = new Search(params.getDouble("sampleRate"), (int) params.getLong("fftLength"),
                    (int) params.getLong("timeSteps"), maxDrift, params.getDouble("snrThreshold"), (int) index, slices);
            return new WorkUnitSpec(search.encode(), 1.0, recording);
        });
    }

    /**
     * Lays out the grid from the recording's length, computes the spectrogram (unless the slice of drift rates
     * is empty) and searches the slice; outputs at most {@value #MAX_CANDIDATES} distinct candidates.
     */
    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        Search search = Search.decode(workUnit.input());
        if (workUnit.blobs().size() != 1) {
            throw new IllegalArgumentException("a signal-search work unit reads exactly one blob, not " + workUnit.blobs());
        }
        String recording = workUnit.blobs().get(0);
        long bytes = context.blobSize(recording);
        if (bytes % Recordings.SAMPLE_BYTES != 0) {
            throw new IllegalArgumentException("the recording has " + bytes + " bytes, not a whole number of float32"
                    + " samples");
        }
        Grid grid = Grid.of(search, bytes / Recordings.SAMPLE_BYTES);
        int[] slice = grid.slice(search.slice(), search.slices());
        List<Candidate> found = List.of();
        if (slice[0] < slice[1]) {
            double[][] power;
            try (InputStream in = context.openBlob(recording)) {
                power = Spectrogram.compute(in, grid, context, SPECTROGRAM_SHARE);
            }
            found = DriftSearch.search(power, grid, slice[0], slice[1], search.snrThreshold(), context,
                    SPECTROGRAM_SHARE);
        }
        List<Candidate> distinct = Candidate.distinct(found, MAX_CANDIDATES);
        context.output().write(new SearchOutput(grid.binHz, grid.driftStep, grid.firstRowCentre, distinct).encode());
        context.progress(1.0);
    }

    /**
     * True when the grids agree within {@link #TOLERANCE} and each output's candidates are found in the other
     * within one bin and one drift index, with snr equal within {@link #TOLERANCE} relative; a candidate need
     * not be matched when it could have fallen out of the other list by rounding: snr within the tolerance of
     * the threshold, or of the other list's weakest when that list is full. Never throws.
     */
    @Override
    public boolean equivalent(WorkUnit workUnit, byte[] a, byte[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        try {
            double threshold = Search.decode(workUnit.input()).snrThreshold();
            SearchOutput x = SearchOutput.decode(a);
            SearchOutput y = SearchOutput.decode(b);
            return close(x.binHz(), y.binHz()) && close(x.driftStep(), y.driftStep())
                    && close(x.firstRowCentre(), y.firstRowCentre())
                    && covers(x, y, threshold) && covers(y, x, threshold);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Distinct candidates of all work units, strongest first. */
    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        List<Candidate> all = new ArrayList<>();
        SearchOutput[] grid = {null};
        outputs.forEach(o -> {
            SearchOutput output = SearchOutput.decode(o.output());
            all.addAll(output.candidates());
            grid[0] = output;
        });
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (Candidate c : Candidate.distinct(all, Integer.MAX_VALUE)) {
            Map<String, Object> candidate = new LinkedHashMap<>();
            candidate.put("frequencyHz", grid[0].frequencyHz(c));
            candidate.put("driftHzPerSecond", grid[0].driftHzPerSecond(c));
            candidate.put("snr", c.snr());
            candidates.add(candidate);
        }
        return Map.of("candidates", candidates);
    }

    /** Whether every candidate of {@code x} that must be in {@code y} is there. */
    private static boolean covers(SearchOutput x, SearchOutput y, double threshold) {
        double floor = threshold;
        if (y.candidates().size() >= MAX_CANDIDATES) {
            floor = Math.max(floor, y.candidates().stream().mapToDouble(Candidate::snr).min().orElse(threshold));
        }
        for (Candidate c : x.candidates()) {
            if (c.snr() <= floor * (1 + TOLERANCE)) {
                continue;
            }
            boolean matched = y.candidates().stream().anyMatch(d -> Math.abs(d.bin() - c.bin()) <= 1
                    && Math.abs(d.drift() - c.drift()) <= 1 && close(d.snr(), c.snr()));
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(double x, double y) {
        return Math.abs(x - y) <= TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
    }
}
