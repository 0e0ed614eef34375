package dev.starling.samples.signalsearch;

import dev.starling.sdk.CancelledException;
import dev.starling.sdk.TaskContext;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * The power spectrogram of a recording, by short-time Fourier transform: consecutive frames of
 * {@code fftLength} samples (no overlap), each multiplied by a periodic Hann window, transformed, and their
 * power {@code |X_b|^2} in bins 0 to {@code fftLength / 2} summed into the rows of the {@link Grid}.
 *
 * <p>The samples are real, so two frames go through one complex FFT: frame a as the real part and frame b
 * as the imaginary part, separated afterwards by the symmetry {@code A_b = (Z_b + conj Z_{N-b}) / 2},
 * {@code B_b = (Z_b - conj Z_{N-b}) / 2i}. The FFT is Commons Math's radix-2 transform, whose twiddle
 * factors are tabulated constants; the window uses {@link StrictMath}; so the spectrogram is the same to
 * the bit on every JVM.
 */
final class Spectrogram {
    /** Frame pairs between two looks at cancellation and progress. */
    private static final int PAIRS_PER_STEP = 64;

    private Spectrogram() {}

    /**
     * Reads the recording from {@code in} (positioned at its start) and returns {@code power[row][bin]}.
     * Progress goes from 0 to {@code progressShare}.
     *
     * @throws IllegalArgumentException on a sample that is not a finite number
     */
    static double[][] compute(InputStream in, Grid grid, TaskContext context, double progressShare) throws IOException {
        int n = grid.fftLength;
        double[] window = hann(n);
        double[][] power = new double[grid.rows][n / 2 + 1];
        double[][] z = new double[2][n];
        double[] re = z[0];
        double[] im = z[1];
        byte[] bytes = new byte[2 * n * Float.BYTES];
        FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (long s = 0; s < grid.spectra; s += 2) {
            boolean pair = s + 1 < grid.spectra;
            int length = (pair ? 2 : 1) * n * Float.BYTES;
            if (in.readNBytes(bytes, 0, length) != length) {
                throw new EOFException("the recording ended before spectrum " + s);
            }
            for (int i = 0; i < n; i++) {
                re[i] = sample(floats, i, s * n) * window[i];
                im[i] = pair ? sample(floats, n + i, s * n) * window[i] : 0;
            }
            FastFourierTransformer.transformInPlace(z, DftNormalization.STANDARD, TransformType.FORWARD);
            double[] a = power[grid.row(s)];
            double[] b = pair ? power[grid.row(s + 1)] : null;
            for (int k = 0; k <= n / 2; k++) {
                int m = (n - k) & (n - 1);
                double ar = re[k] + re[m];
                double ai = im[k] - im[m];
                a[k] += 0.25 * (ar * ar + ai * ai);
                if (b != null) {
                    double br = re[k] - re[m];
                    double bi = im[k] + im[m];
                    b[k] += 0.25 * (br * br + bi * bi);
                }
            }
            if ((s / 2) % PAIRS_PER_STEP == PAIRS_PER_STEP - 1) {
                if (context.isCancelled()) {
                    throw new CancelledException();
                }
                context.progress(progressShare * (s + 2) / grid.spectra);
            }
        }
        return power;
    }

    /** The periodic Hann window {@code 0.5 - 0.5 cos(2 pi i / n)}. */
    static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * StrictMath.cos(2 * Math.PI * i / n);
        }
        return w;
    }

    private static double sample(FloatBuffer floats, int i, long firstSampleOfPair) {
        float x = floats.get(i);
        if (!Float.isFinite(x)) {
            throw new IllegalArgumentException("sample " + (firstSampleOfPair + i) + " of the recording is " + x
                    + "; a recording holds finite float32 samples");
        }
        return x;
    }
}
