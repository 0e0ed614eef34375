package dev.starling.swarm.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 60s}, {@code 500ms}, {@code 10m}, {@code 1h}, or ISO-8601 {@code PT30S}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {}

    /** @throws IllegalArgumentException with a message naming the text and showing how to write one */
    public static Duration parse(String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        try {
            Matcher m = SIMPLE.matcher(text);
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            if (text.equals("0")) {
                return Duration.ZERO;
            }
            return Duration.parse(value.trim());
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration; write for example 60s, 500ms or 10m");
        }
    }

    /** A short form for messages: {@code 1500ms}, {@code 60s}, {@code 10m}. */
    public static String format(Duration d) {
        if (d.isNegative() || d.toNanosPart() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
