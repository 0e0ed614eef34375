package dev.starling.samples.signalsearch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Random;

/**
 * Test recordings for signal-search: Gaussian noise with tones in it, as float32 little-endian mono
 * samples, the format the app reads. Deterministic: the same arguments give the same bytes on every
 * platform ({@link Random#nextGaussian} is specified down to its use of {@link StrictMath}, and the tones
 * are computed with {@link StrictMath#sin}), so tests and demos anywhere can regenerate a recording instead
 * of storing it.
 */
public final class Recordings {
    /** Bytes per sample. */
    public static final int SAMPLE_BYTES = Float.BYTES;

    private Recordings() {}

    /**
     * A tone whose frequency drifts linearly: {@code amplitude * sin(2 pi (f t + d t^2 / 2))}, so its
     * frequency at time {@code t} is {@code frequencyHz + driftHzPerSecond * t}.
     */
    public record Tone(double frequencyHz, double driftHzPerSecond, double amplitude) {
        public Tone {
            if (!Double.isFinite(frequencyHz) || !Double.isFinite(driftHzPerSecond) || !Double.isFinite(amplitude)) {
                throw new IllegalArgumentException("a tone has finite parameters: " + frequencyHz + " Hz, "
                        + driftHzPerSecond + " Hz/s, amplitude " + amplitude);
            }
        }
    }

    /**
     * {@code floor(seconds * sampleRate)} samples of white Gaussian noise with standard deviation
     * {@code noiseSigma} (seeded by {@code seed}) plus the tones, sample {@code i} taken at time
     * {@code i / sampleRate}; float32 little-endian.
     *
     * @throws IllegalArgumentException when the recording would not fit in a byte array
     */
    public static byte[] synthesize(long seed, double sampleRate, double seconds, double noiseSigma, Tone... tones) {
        Objects.requireNonNull(tones, "tones");
        if (!(sampleRate > 0) || !(seconds >= 0) || !(noiseSigma >= 0) || Double.isInfinite(noiseSigma)) {
            throw new IllegalArgumentException("sampleRate > 0, seconds >= 0, noiseSigma >= 0 and finite: "
                    + sampleRate + ", " + seconds + ", " + noiseSigma);
        }
        double count = Math.floor(seconds * sampleRate);
        if (count > (Integer.MAX_VALUE - 8) / SAMPLE_BYTES) {
            throw new IllegalArgumentException(count + " samples do not fit in a byte array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) count * SAMPLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Random noise = new Random(seed);
        for (int i = 0; i < (int) count; i++) {
            double t = i / sampleRate;
            double x = noiseSigma == 0 ? 0 : noiseSigma * noise.nextGaussian();
            for (Tone tone : tones) {
                double cycles = tone.frequencyHz() * t + 0.5 * tone.driftHzPerSecond() * t * t;
                x += tone.amplitude() * StrictMath.sin(2 * Math.PI * (cycles - Math.floor(cycles)));
            }
            out.putFloat((float) x);
        }
        return out.array();
    }

    /** The samples as float32 little-endian bytes. */
    public static byte[] encode(float... samples) {
        ByteBuffer out = ByteBuffer.allocate(samples.length * SAMPLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(samples);
        return out.array();
    }
}
