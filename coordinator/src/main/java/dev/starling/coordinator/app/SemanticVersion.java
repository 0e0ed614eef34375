package dev.starling.coordinator.app;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deployed app's version, {@code MAJOR.MINOR.PATCH} with an optional pre-release ({@code 1.0.0-rc.1}), ordered by
 * the precedence of Semantic Versioning 2.0.0. Build metadata ({@code +...}) is refused: two versions differing only
 * in it would have the same precedence, and "the newest version" would be ambiguous.
 */
record SemanticVersion(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease)
        implements Comparable<SemanticVersion> {
    static final int MAX_LENGTH = 64;
    private static final String NUMBER = "(0|[1-9][0-9]*)";
    private static final String IDENTIFIER = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final Pattern SYNTAX = Pattern.compile(
            NUMBER + "\\." + NUMBER + "\\." + NUMBER + "(?:-(" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*))?");

    /** The version, or null when {@code text} is not one; {@link #problem} says why. */
    static SemanticVersion parse(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            return null;
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        return new SemanticVersion(new BigInteger(m.group(1)), new BigInteger(m.group(2)), new BigInteger(m.group(3)),
                pre);
    }

    /** Why {@code text} is not a version this coordinator takes, or null. */
    static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "is required: a semantic version such as 1.0.0";
        }
        if (text.length() > MAX_LENGTH) {
            return "has " + text.length() + " characters; at most " + MAX_LENGTH;
        }
        if (text.contains("+")) {
            return "'" + text + "' has build metadata (+...), which versions here may not have: it does not order them";
        }
        return parse(text) == null
                ? "'" + text + "' is not a semantic version: MAJOR.MINOR.PATCH, numbers without leading zeros, with an"
                        + " optional pre-release such as -rc.1"
                : null;
    }

    boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(SemanticVersion o) {
        int c = major.compareTo(o.major);
        if (c == 0) {
            c = minor.compareTo(o.minor);
        }
        if (c == 0) {
            c = patch.compareTo(o.patch);
        }
        if (c != 0) {
            return c;
        }
        // a pre-release comes before its release
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifiers(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    /** Numeric identifiers compare as numbers and before alphanumeric ones, which compare in ASCII order. */
    private static int compareIdentifiers(String a, String b) {
        boolean numA = a.chars().allMatch(Character::isDigit);
        boolean numB = b.chars().allMatch(Character::isDigit);
        if (numA && numB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numA != numB) {
            return numA ? -1 : 1;
        }
        return a.compareTo(b);
    }
}
