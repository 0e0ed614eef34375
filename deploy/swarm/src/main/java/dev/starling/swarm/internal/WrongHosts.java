package dev.starling.swarm.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.BitSet;
import java.util.Random;

/** Which simulated hosts report wrong outputs: {@code floor(hosts * fraction)} of them, chosen by a seed. */
public final class WrongHosts {
    private WrongHosts() {}

    /**
     * {@code floor(hosts * fraction)} computed in decimal, so that {@code 100 * 0.29} is 29 as a person expects
     * (binary floating point makes it 28.999...).
     */
    public static int count(int hosts, double fraction) {
        return new BigDecimal(Double.toString(fraction)).multiply(BigDecimal.valueOf(hosts))
                .setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /**
     * The wrong hosts' indexes (0-based): the first {@code count} of a Fisher-Yates shuffle driven by
     * {@code java.util.Random(seed)}, whose algorithm the JDK specifies, so one seed picks the same hosts on
     * every JVM.
     */
    public static BitSet choose(int hosts, double fraction, long seed) {
        int count = count(hosts, fraction);
        int[] order = new int[hosts];
        for (int i = 0; i < hosts; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        BitSet wrong = new BitSet(hosts);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(hosts - i);
            int picked = order[j];
            order[j] = order[i];
            order[i] = picked;
            wrong.set(picked);
        }
        return wrong;
    }
}
