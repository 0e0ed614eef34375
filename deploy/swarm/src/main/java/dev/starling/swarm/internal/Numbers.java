package dev.starling.swarm.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** How figures appear on the SWARM, RESULT and HEAP lines: at most one decimal, no grouping, {@code n/a} when unknown. */
public final class Numbers {
    private Numbers() {}

    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP);
        if (rounded.signum() == 0) {
            return "0";
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}
