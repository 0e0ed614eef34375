package dev.starling.samples.signalsearch;

import dev.starling.sdk.CancelledException;
import dev.starling.sdk.TaskContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incoherent de-drifting by brute force, as turboSETI's search does with a tree: for each drift index
 * {@code k} and start bin {@code b}, the power summed along the track, over every row of the spectrogram.
 * A tone that drifts at that rate from that bin puts all of its power in the one sum.
 *
 * <p>Noise estimate, per drift rate: the median and the median absolute deviation (MAD) of that rate's sums
 * over all start bins; robust, since a few tones move neither. {@code snr = (sum - median) / (1.4826 MAD)},
 * the deviation in standard deviations of Gaussian noise. The noise is taken to be white across the band
 * (the same level in every bin), as the estimate is one per drift rate.
 *
 * <p>A candidate is a cell (k, b) whose snr reaches the threshold and beats its eight neighbours in k and b
 * (ties go to the smaller k, then b). A work unit computes one drift rate beyond each end of its slice for
 * that comparison, so the answer does not depend on how the drift rates were split.
 */
final class DriftSearch {
    private DriftSearch() {}

    /**
     * The candidates with drift index in {@code [from, to)}. Progress goes from {@code progressFrom} to 1.
     */
    static List<Candidate> search(double[][] power, Grid grid, int from, int to, double threshold, TaskContext context,
            double progressFrom) {
        List<Candidate> found = new ArrayList<>();
        double[] below = from - 1 >= -grid.maxDrift ? snr(power, grid, from - 1) : null;
        double[] here = from < to ? snr(power, grid, from) : null;
        for (int k = from; k < to; k++) {
            if (context.isCancelled()) {
                throw new CancelledException();
            }
            double[] above = k + 1 <= grid.maxDrift ? snr(power, grid, k + 1) : null;
            for (int b = grid.firstBin(); b <= grid.lastBin(); b++) {
                if (here[b] >= threshold && isPeak(below, here, above, b)) {
                    found.add(new Candidate(b, k, here[b]));
                }
            }
            below = here;
            here = above;
            context.progress(progressFrom + (1 - progressFrom) * (k + 1 - from) / (to - from));
        }
        return found;
    }

    /**
     * The snr of every track of drift {@code k}, by start bin; {@code -Infinity} for start bins whose track
     * would leave the searched bins.
     */
    static double[] snr(double[][] power, Grid grid, int k) {
        int bins = grid.fftLength / 2 + 1;
        int first = grid.firstBin() + Math.max(0, -k);
        int last = grid.lastBin() - Math.max(0, k);
        double[] sum = new double[bins];
        for (int j = 0; j < grid.rows; j++) {
            double[] row = power[j];
            int shift = grid.shift(j, k);
            for (int b = first; b <= last; b++) {
                sum[b] += row[b + shift];
            }
        }
        double[] sorted = Arrays.copyOfRange(sum, first, last + 1);
        Arrays.sort(sorted);
        double median = median(sorted);
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Math.abs(sorted[i] - median);
        }
        Arrays.sort(sorted);
        double sigma = 1.4826 * median(sorted);
        double[] snr = new double[bins];
        Arrays.fill(snr, Double.NEGATIVE_INFINITY);
        for (int b = first; b <= last; b++) {
            snr[b] = sigma > 0 ? (sum[b] - median) / sigma : 0;
        }
        return snr;
    }

    /** Whether cell b of {@code here} beats its neighbours in the rows below, here and above (null: none). */
    private static boolean isPeak(double[] below, double[] here, double[] above, int b) {
        double v = here[b];
        double[][] around = {below, here, above};
        for (int dk = -1; dk <= 1; dk++) {
            double[] neighbours = around[dk + 1];
            if (neighbours == null) {
                continue;
            }
            for (int db = -1; db <= 1; db++) {
                if (dk == 0 && db == 0) {
                    continue;
                }
                double w = neighbours[b + db];
                boolean neighbourFirst = dk < 0 || (dk == 0 && db < 0);
                if (w > v || (w == v && neighbourFirst)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
