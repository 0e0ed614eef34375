package dev.starling.samples.signalsearch;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The input of a signal-search work unit: the job's search settings and which slice of the drift rates it
 * searches, as readable text {@code "<sampleRate> <fftLength> <timeSteps> <maxDrift|auto> <snrThreshold>
 * <slice> <slices>"}. The recording is the work unit's only blob. The drift rates themselves depend on the
 * recording's length, which only the work unit sees (see {@link Grid#slice}).
 *
 * @param maxDrift the largest |drift| to search in Hz/s, or NaN for as fast as the grid can follow
 */
record Search(double sampleRate, int fftLength, int timeSteps, double maxDrift, double snrThreshold, int slice,
        int slices) {

    Search {
        if (!(sampleRate > 0) || Double.isInfinite(sampleRate) || fftLength < 4 || Integer.bitCount(fftLength) != 1
                || timeSteps < 1 || maxDrift < 0 || Double.isInfinite(maxDrift) || !(snrThreshold > 0)
                || Double.isInfinite(snrThreshold) || slices < 1 || slice < 0 || slice >= slices) {
            throw new IllegalArgumentException("not a signal-search work unit: " + text(sampleRate, fftLength, timeSteps,
                    maxDrift, snrThreshold, slice, slices));
        }
    }

    static Search decode(byte[] input) {
        String text = new String(input, US_ASCII);
        String[] f = text.split(" ");
        if (f.length != 7) {
            throw new IllegalArgumentException("a signal-search work unit input has 7 fields: " + text);
        }
        return new Search(Double.parseDouble(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                f[3].equals("auto") ? Double.NaN : Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                Integer.parseInt(f[5]), Integer.parseInt(f[6]));
    }

    byte[] encode() {
        return text(sampleRate, fftLength, timeSteps, maxDrift, snrThreshold, slice, slices).getBytes(US_ASCII);
    }

    private static String text(double sampleRate, int fftLength, int timeSteps, double maxDrift, double snrThreshold,
            int slice, int slices) {
        return sampleRate + " " + fftLength + " " + timeSteps + " " + (Double.isNaN(maxDrift) ? "auto" : maxDrift) + " "
                + snrThreshold + " " + slice + " " + slices;
    }
}
