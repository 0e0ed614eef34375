package dev.starling.coordinator.app;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How a deployed app's replicas are compared: the standard output of two replicas by the app's kind of validation,
 * the files they wrote under {@code /output/} always byte for byte ({@link DeployedApp#equivalent}).
 */
sealed interface Validation {

    /** Whether the standard outputs of two replicas agree. */
    boolean agree(byte[] a, byte[] b);

    /**
     * Whether agreement is an equivalence (two outputs that agree with a third agree with each other). Numeric
     * tolerance is not: 1.0 ~ 1.4 ~ 1.8 but not 1.0 ~ 1.8, so the quorum rule looks for a group in which every pair
     * agrees.
     */
    boolean transitive();

    /** As the manifest writes it. */
    Map<String, Object> toJson();

    /** The same bytes. */
    record Bitwise() implements Validation {
        @Override
        public boolean agree(byte[] a, byte[] b) {
            return Arrays.equals(a, b);
        }

        @Override
        public boolean transitive() {
            return true;
        }

        @Override
        public Map<String, Object> toJson() {
            return Map.of("kind", "bitwise");
        }
    }

    /**
     * Numbers within a tolerance. The outputs are split into tokens on ASCII whitespace and must have as many; two
     * numbers agree when {@code |x - y| <= max(absTolerance, relTolerance * max(|x|, |y|))}; a NaN agrees only with a
     * NaN (of either sign: {@code printf} prints {@code nan} or {@code -nan} depending on bits engines may choose);
     * an infinity only with the same infinity; any other token only with the same bytes. A number is what C's
     * {@code printf} writes: an optional sign, digits with an optional point and exponent, {@code inf},
     * {@code infinity} or {@code nan} in any case (hexadecimal floats are compared as other tokens).
     */
    record Numeric(double relTolerance, double absTolerance) implements Validation {
        private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
        private static final Pattern INFINITY = Pattern.compile("[+-]?(?i:inf|infinity)");
        private static final Pattern NAN = Pattern.compile("[+-]?(?i:nan)(?:\\([0-9A-Za-z_]*\\))?");

        @Override
        public boolean agree(byte[] a, byte[] b) {
            int i = 0;
            int j = 0;
            while (true) {
                i = skipSpace(a, i);
                j = skipSpace(b, j);
                if (i == a.length || j == b.length) {
                    return i == a.length && j == b.length;
                }
                int endA = tokenEnd(a, i);
                int endB = tokenEnd(b, j);
                if (!tokensAgree(a, i, endA, b, j, endB)) {
                    return false;
                }
                i = endA;
                j = endB;
            }
        }

        private boolean tokensAgree(byte[] a, int fromA, int toA, byte[] b, int fromB, int toB) {
            if (Arrays.equals(a, fromA, toA, b, fromB, toB)) {
                return true;
            }
            Double x = number(a, fromA, toA);
            Double y = number(b, fromB, toB);
            if (x == null || y == null) {
                return false; // one of them is not a number, and they differ
            }
            if (x.isNaN() || y.isNaN()) {
                return x.isNaN() && y.isNaN();
            }
            if (x.isInfinite() || y.isInfinite()) {
                return x.equals(y);
            }
            double scale = Math.max(Math.abs(x), Math.abs(y));
            return Math.abs(x - y) <= Math.max(absTolerance, relTolerance * scale);
        }

        /** The token as a number, or null when it is not one. */
        static Double number(byte[] bytes, int from, int to) {
            if (to - from > 400) {
                return null;
            }
            String token = new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (DECIMAL.matcher(token).matches()) {
                return Double.parseDouble(token); // too large a finite token becomes an infinity of its sign
            }
            if (INFINITY.matcher(token).matches()) {
                return token.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            if (NAN.matcher(token).matches()) {
                return Double.NaN;
            }
            return null;
        }

        private static int skipSpace(byte[] bytes, int i) {
            while (i < bytes.length && isSpace(bytes[i])) {
                i++;
            }
            return i;
        }

        private static int tokenEnd(byte[] bytes, int i) {
            while (i < bytes.length && !isSpace(bytes[i])) {
                i++;
            }
            return i;
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
        }

        @Override
        public boolean transitive() {
            return false;
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("kind", "numeric");
            json.put("relTolerance", relTolerance);
            json.put("absTolerance", absTolerance);
            return json;
        }
    }
}
