package dev.starling.worker.config;

import java.util.Locale;

/**
 * {@code --max-cpu-temp} as written: degrees Celsius from {@value #LOWEST} to {@value #HIGHEST} ({@code 85},
 * {@code 85C} or {@code 85°C}), or {@code off} (also {@code 0}): tasks never pause for heat.
 */
public final class Celsius {
    static final int LOWEST = 40;
    static final int HIGHEST = 110;

    private Celsius() {}

    /**
     * The limit {@code text} gives; 0 for off.
     *
     * @throws IllegalArgumentException saying how to write it
     */
    public static int parse(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT).replace("°", "");
        if (value.equals("off")) {
            return 0;
        }
        if (value.endsWith("c")) {
            value = value.substring(0, value.length() - 1).strip();
        }
        try {
            return check(Integer.parseInt(value), text);
        } catch (NumberFormatException e) {
            throw refused(text);
        }
    }

    /** {@code celsius} when it is a limit or 0 (off). */
    static int check(int celsius) {
        return check(celsius, Integer.toString(celsius));
    }

    private static int check(int celsius, String given) {
        if (celsius != 0 && (celsius < LOWEST || celsius > HIGHEST)) {
            throw refused(given);
        }
        return celsius;
    }

    private static IllegalArgumentException refused(String given) {
        return new IllegalArgumentException("--max-cpu-temp takes degrees Celsius from " + LOWEST + " to " + HIGHEST
                + " (for example 85), or off, was '" + given + "'");
    }
}
