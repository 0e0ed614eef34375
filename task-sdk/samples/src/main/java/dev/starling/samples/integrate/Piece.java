package dev.starling.samples.integrate;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The input of an integrate work unit: the grid points {@code from..to} of Simpson's rule for the whole
 * job (x_k = a + k (b - a) / intervals), so that the pieces add up to exactly the job's composite rule.
 * Encoded as readable text, for example {@code "sin 0.0 3.141592653589793 10000000 0 100000"}.
 */
record Piece(Integrand function, double a, double b, long intervals, long from, long to) {

    Piece {
        if (!(a < b) || !Double.isFinite(b - a) || intervals < 2 || intervals % 2 != 0
                || from < 0 || from >= to || to > intervals || (to - from) % 2 != 0) {
            throw new IllegalArgumentException(
                    "not a piece of Simpson's rule: " + encodeText(function, a, b, intervals, from, to));
        }
    }

    static Piece decode(byte[] input) {
        String text = new String(input, UTF_8);
        String[] fields = text.split(" ");
        if (fields.length != 6) {
            throw new IllegalArgumentException("an integrate work unit input has 6 fields: " + text);
        }
        Integrand function = Integrand.byId(fields[0])
                .orElseThrow(() -> new IllegalArgumentException("unknown function " + fields[0]));
        return new Piece(function, Double.parseDouble(fields[1]), Double.parseDouble(fields[2]),
                Long.parseLong(fields[3]), Long.parseLong(fields[4]), Long.parseLong(fields[5]));
    }

    byte[] encode() {
        return encodeText(function, a, b, intervals, from, to).getBytes(UTF_8);
    }

    /** x_k; the last point is b itself rather than a + intervals * h, which may round differently. */
    double x(long k) {
        return k == intervals ? b : a + k * ((b - a) / intervals);
    }

    private static String encodeText(Integrand function, double a, double b, long intervals, long from, long to) {
        // Double.toString round-trips: parsing it gives back the same double
        return (function == null ? "?" : function.id()) + " " + a + " " + b + " " + intervals + " " + from + " " + to;
    }
}
