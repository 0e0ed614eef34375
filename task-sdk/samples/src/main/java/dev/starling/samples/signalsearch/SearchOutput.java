package dev.starling.samples.signalsearch;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.ArrayList;
import java.util.List;

/**
 * The output of a signal-search work unit: its grid, then its candidates, strongest first, as text:
 * <pre>
 * grid &lt;binHz&gt; &lt;driftStep Hz/s&gt; &lt;firstRowCentre s&gt;
 * &lt;bin&gt; &lt;drift index&gt; &lt;snr&gt;
 * ...
 * </pre>
 * Numbers are written with {@link Double#toString}, which reads back to the same double. The grid lets
 * {@code assimilate}, which never sees the recording, turn bins and drift indices into Hz and Hz/s.
 */
record SearchOutput(double binHz, double driftStep, double firstRowCentre, List<Candidate> candidates) {

    SearchOutput {
        candidates = List.copyOf(candidates);
    }

    byte[] encode() {
        StringBuilder text = new StringBuilder("grid ").append(binHz).append(' ').append(driftStep).append(' ')
                .append(firstRowCentre).append('\n');
        for (Candidate c : candidates) {
            text.append(c.bin()).append(' ').append(c.drift()).append(' ').append(c.snr()).append('\n');
        }
        return text.toString().getBytes(US_ASCII);
    }

    /** @throws IllegalArgumentException when the output is not one (a number that does not parse included) */
    static SearchOutput decode(byte[] output) {
        String[] lines = new String(output, US_ASCII).split("\n");
        String[] grid = lines[0].split(" ");
        if (grid.length != 4 || !grid[0].equals("grid")) {
            throw new IllegalArgumentException("a signal-search output starts with \"grid <binHz> <driftStep>"
                    + " <firstRowCentre>\": " + lines[0]);
        }
        List<Candidate> candidates = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length != 3) {
                throw new IllegalArgumentException("a candidate is \"<bin> <drift> <snr>\": " + lines[i]);
            }
            candidates.add(new Candidate(Integer.parseInt(f[0]), Integer.parseInt(f[1]), finite(f[2])));
        }
        return new SearchOutput(finite(grid[1]), finite(grid[2]), finite(grid[3]), candidates);
    }

    /** The frequency in Hz at the start of the recording of a candidate's track. */
    double frequencyHz(Candidate c) {
        return Grid.frequency(binHz, driftStep, firstRowCentre, c.bin(), c.drift());
    }

    double driftHzPerSecond(Candidate c) {
        return c.drift() * driftStep;
    }

    private static double finite(String text) {
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + text);
        }
        return value;
    }
}
