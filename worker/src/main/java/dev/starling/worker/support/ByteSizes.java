package dev.starling.worker.support;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write and read them, in binary units: {@code 512M} is 512 MiB, {@code 4G} is
 * 4 GiB. Used for {@code --cache-size} and {@code --upload-rate} and in log lines.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");
    private static final long KIB = 1024;

    private ByteSizes() {}

    /**
     * Parses {@code 1048576}, {@code 512K}, {@code 512M}, {@code 4G}, {@code 1T} (also {@code 4GiB}, {@code 4GB},
     * all binary).
     *
     * @throws IllegalArgumentException saying how to write a size
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write for example 512M, 4G or 1048576");
        }
        long unit = switch (m.group(2)) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> KIB;
            case "m", "mb", "mib" -> KIB * KIB;
            case "g", "gb", "gib" -> KIB * KIB * KIB;
            default -> KIB * KIB * KIB * KIB;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    /** {@code 3 MiB}, {@code 1.5 GiB}, {@code 900 bytes}. */
    public static String format(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < KIB) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= KIB && unit < units.length - 1) {
            value /= KIB;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
                + " " + units[unit];
    }
}
