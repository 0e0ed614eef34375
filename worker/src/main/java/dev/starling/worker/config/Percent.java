package dev.starling.worker.config;

/** A share from 1 to 100 percent, as {@code --cpu-limit} and {@code --busy-cpu} take it: {@code 60} or {@code 60%}. */
public final class Percent {
    private Percent() {}

    /**
     * Reads {@code text} as {@code option}'s percentage.
     *
     * @throws IllegalArgumentException saying how to write it
     */
    public static int parse(String option, String text) {
        String digits = text.strip();
        if (digits.endsWith("%")) {
            digits = digits.substring(0, digits.length() - 1).strip();
        }
        try {
            return check(option, Integer.parseInt(digits), text);
        } catch (NumberFormatException e) {
            throw refused(option, text);
        }
    }

    /** {@code percent} when it is one, for {@code option}. */
    static int check(String option, int percent) {
        return check(option, percent, Integer.toString(percent));
    }

    private static int check(String option, int percent, String given) {
        if (percent < 1 || percent > 100) {
            throw refused(option, given);
        }
        return percent;
    }

    private static IllegalArgumentException refused(String option, String given) {
        return new IllegalArgumentException(option + " takes a percentage from 1 to 100, was '" + given + "'");
    }
}
