package dev.starling.samples.signalsearch;

import java.util.Arrays;

/**
 * Where a search looks, for a recording of a given length: spectra, rows, frequency bins and drift rates.
 *
 * <ul>
 *   <li>The recording is cut into {@code spectra = samples / fftLength} consecutive frames (the few samples
 *       after the last whole frame are not used). Spectrum {@code s} covers the time
 *       {@code [s dt, (s + 1) dt)}, {@code dt = fftLength / sampleRate}.
 *   <li>The spectra are summed into {@code rows = min(spectra, timeSteps)} rows: row {@code j} holds spectra
 *       {@code [j spectra / rows, (j + 1) spectra / rows)}, so every spectrum counts once.
 *   <li>Bin {@code b} is the frequency {@code b binHz}, {@code binHz = sampleRate / fftLength}. Bins 1 to
 *       {@code fftLength / 2 - 1} are searched; 0 (DC) and the Nyquist bin are not.
 *   <li>Drift index {@code k} is a track that moves {@code k} bins from the first row's centre to the last
 *       one's, in a straight line rounded to whole bins: at row {@code j} it is {@code round(k u_j)} bins from
 *       its start, {@code u_j} being how far row j's centre lies from the first to the last (0 to 1). Drift
 *       rates are multiples of {@code driftStep = binHz / (time between first and last row centres)}, from
 *       {@code -maxDrift} to {@code +maxDrift}: at most one bin per row (the fastest drift that stays in one
 *       bin within a row), at most what the job asked, and few enough that each track has
 *       {@value #MIN_TRACKS} start bins or more.
 * </ul>
 */
final class Grid {
    /** The fewest start bins a drift rate must have for its noise estimate. */
    static final int MIN_TRACKS = 32;

    final int fftLength;
    final long spectra;
    final int rows;
    final double binHz;
    /** Hz/s between neighbouring drift indices; 0 with a single row */
    final double driftStep;
    /** seconds from the start of the recording to the first row's centre */
    final double firstRowCentre;
    /** the largest drift index searched */
    final int maxDrift;
    /** row j holds spectra [rowStart[j], rowStart[j + 1]) */
    private final long[] rowStart;
    /** twice the distance, in spectra, from the first row's centre to the last one's */
    private final long span;

    private Grid(Search search, long samples) {
        fftLength = search.fftLength();
        spectra = samples / fftLength;
        if (spectra < 1) {
            throw new IllegalArgumentException("the recording has " + samples + " samples, fewer than one FFT of "
                    + fftLength);
        }
        rows = (int) Math.min(spectra, search.timeSteps());
        rowStart = new long[rows + 1];
        for (int j = 0; j <= rows; j++) {
            rowStart[j] = Math.multiplyExact(j, spectra) / rows;
        }
        span = centre2(rows - 1) - centre2(0);
        double dt = fftLength / search.sampleRate();
        binHz = search.sampleRate() / fftLength;
        driftStep = span == 0 ? 0 : binHz / (span / 2.0 * dt);
        firstRowCentre = centre2(0) / 2.0 * dt;
        double limit = Math.min(rows - 1, fftLength / 2 - 1 - MIN_TRACKS);
        if (!Double.isNaN(search.maxDrift()) && driftStep > 0) {
            limit = Math.min(limit, Math.floor(search.maxDrift() / driftStep));
        }
        maxDrift = (int) Math.max(0, limit);
    }

    static Grid of(Search search, long samples) {
        return new Grid(search, samples);
    }

    /** How many bins drift {@code k} has moved at row {@code row}: {@code k u_j} rounded half up, in integers. */
    int shift(int row, int k) {
        if (span == 0) {
            return 0;
        }
        return (int) Math.floorDiv(2L * k * (centre2(row) - centre2(0)) + span, 2 * span);
    }

    /** The row that holds spectrum {@code s}. */
    int row(long s) {
        int found = Arrays.binarySearch(rowStart, s);
        return found >= 0 ? Math.min(found, rows - 1) : -found - 2;
    }

    /** The first bin searched. */
    int firstBin() {
        return 1;
    }

    /** The last bin searched. */
    int lastBin() {
        return fftLength / 2 - 1;
    }

    /** How many drift rates there are: {@code 2 maxDrift + 1}. */
    int driftRates() {
        return 2 * maxDrift + 1;
    }

    /**
     * The drift indices {@code [from, to)} of work unit {@code slice} of {@code slices}: consecutive runs of
     * {@code -maxDrift..maxDrift} that cover it once; empty when there are more work units than drift rates.
     */
    int[] slice(int slice, int slices) {
        long rates = driftRates();
        return new int[] {(int) (-maxDrift + rates * slice / slices), (int) (-maxDrift + rates * (slice + 1) / slices)};
    }

    /** The frequency at the start of the recording of the track that starts at bin {@code bin} with drift {@code k}. */
    static double frequency(double binHz, double driftStep, double firstRowCentre, int bin, int k) {
        return bin * binHz - k * driftStep * firstRowCentre;
    }

    /** Twice the centre of row {@code j}, in spectra. */
    private long centre2(int j) {
        return rowStart[j] + rowStart[j + 1];
    }
}
