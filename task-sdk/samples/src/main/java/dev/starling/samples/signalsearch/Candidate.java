package dev.starling.samples.signalsearch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A track that stands out of the noise: start bin, drift index (see {@link Grid}) and signal-to-noise ratio.
 */
record Candidate(int bin, int drift, double snr) {
    /** Strongest first; ties by drift index, then bin, so that every host orders alike. */
    static final Comparator<Candidate> ORDER = Comparator.comparingDouble(Candidate::snr).reversed()
            .thenComparingInt(Candidate::drift)
            .thenComparingInt(Candidate::bin);
    /** Noise, in snr, on top of the share of a stronger tone that a sidelobe track picks up. */
    static final double SIDELOBE_MARGIN = 3.0;
    /** How near, in bins, a track must come to a stronger one to pick up its power. */
    static final double REACH = 1.5;

    /**
     * The distinct tones among {@code candidates}, strongest first, at most {@code limit} of them: each
     * candidate in turn, strongest first, is kept unless it is a {@link #isSidelobeOf sidelobe} of one kept
     * before it.
     */
    static List<Candidate> distinct(List<Candidate> candidates, int limit) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(ORDER);
        List<Candidate> kept = new ArrayList<>();
        for (Candidate c : sorted) {
            if (kept.size() == limit) {
                break;
            }
            if (kept.stream().noneMatch(c::isSidelobeOf)) {
                kept.add(c);
            }
        }
        return kept;
    }

    /**
     * Whether this track may be a stronger tone seen again: the same tone at a neighbouring bin or drift
     * rate, or a track that crosses it and picks up part of its power. This track runs within
     * {@value #REACH} bins of {@code stronger}'s for a fraction f of the recording ({@link #overlap}), and its
     * snr is at most {@code f * stronger.snr + }{@value #SIDELOBE_MARGIN}.
     *
     * <p>Why {@value #REACH} bins: a track that crosses a tone at a drift rate {@code dk} bins per recording
     * different from the tone's spends {@code 1/|dk|} of the time per bin of offset, and picks up the tone's
     * power response integrated over the offsets, which for a Hann window is its noise bandwidth, 1.5 bins:
     * {@code 1.5/|dk|} of the tone's power. The tone's own best track, on a grid of whole bins and drift
     * indices, catches between about half and all of it; so a crossing track gets at most {@code 3/|dk|}
     * of the tone's snr, which is the overlap within 1.5 bins. Tones that cross at a clearly different drift
     * rate stay apart unless the weaker one is more than that much weaker.
     */
    boolean isSidelobeOf(Candidate stronger) {
        double f = overlap(stronger);
        return f > 0 && snr <= f * stronger.snr + SIDELOBE_MARGIN;
    }

    /**
     * The fraction of the rows (0 to 1) in which the two tracks lie within {@value #REACH} bins of each other:
     * the track positions differ by {@code db + u dk} at fraction u of the way from the first row to the last.
     */
    double overlap(Candidate other) {
        int db = bin - other.bin;
        int dk = drift - other.drift;
        if (dk == 0) {
            return Math.abs(db) <= REACH ? 1 : 0;
        }
        double u1 = (-REACH - db) / dk;
        double u2 = (REACH - db) / dk;
        return Math.max(0, Math.min(1, Math.max(u1, u2)) - Math.max(0, Math.min(u1, u2)));
    }
}
