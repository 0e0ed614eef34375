package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.web.BadRequestException.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The account-wide computing preferences a volunteer sets on the web, each checked for its bounds and written as the
 * worker's config file writes it (so the worker reads it as it reads its file). The keys, and the worker setting
 * each one stands for:
 * <ul>
 *   <li>{@code cores} ({@code --cores}): 1 to 1024, or a share of the machine's processors, 1% to 100%;</li>
 *   <li>{@code cpuLimit} ({@code --cpu-limit}) and {@code cpuLimitIdle} (the limit while the computer is idle), 1 to
 *       100 percent;</li>
 *   <li>{@code idleOnly} ({@code --idle-only}): true or false;</li>
 *   <li>{@code computeHours}, {@code networkHours} ({@code --compute-hours}, {@code --network-hours}): up to 8 windows
 *       {@code HH:MM-HH:MM}, comma-separated, or {@code always};</li>
 *   <li>{@code memoryLimit}, {@code diskLimit} ({@code --memory-limit}, {@code --disk-limit}): 64M to 1P;</li>
 *   <li>{@code workBuffer} ({@code --work-buffer}): 0 to 48h.</li>
 * </ul>
 */
public final class PreferenceKeys {
    /** The venues a volunteer's hosts can be in, BOINC's. */
    public static final List<String> VENUES = List.of("default", "home", "work", "school");
    /** At most this many characters in a value, before it is read. */
    static final int MAX_VALUE_LENGTH = 200;

    private static final Pattern COUNT = Pattern.compile("\\d{1,4}");
    private static final Pattern SHARE = Pattern.compile("(\\d{1,3})\\s*%");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})\\s*%?");
    private static final Pattern WINDOW = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,13})\\s*([kmgtp]?)(?:i?b)?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|h)");
    private static final long MIN_BYTES = 64L << 20;
    private static final long MAX_BYTES = 1L << 50;
    private static final long MAX_BUFFER_SECONDS = 48 * 3600;

    /** Each key's check: the value as the worker's config file writes it, or empty when it is out of bounds. */
    private static final Map<String, Check> KEYS = new LinkedHashMap<>();

    private record Check(String rule, Function<String, Optional<String>> normalize) {}

    static {
        KEYS.put("cores", new Check("a count from 1 to 1024, or a share of the processors from 1% to 100%",
                PreferenceKeys::cores));
        Check percent = new Check("a percentage from 1 to 100", v -> percent(v).map(String::valueOf));
        KEYS.put("cpuLimit", percent);
        KEYS.put("cpuLimitIdle", percent);
        KEYS.put("idleOnly", new Check("true or false", v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
                ? Optional.of(v.toLowerCase(Locale.ROOT)) : Optional.empty()));
        Check hours = new Check("'always' or up to 8 time windows HH:MM-HH:MM, comma-separated (22:00-07:00)",
                PreferenceKeys::hours);
        KEYS.put("computeHours", hours);
        KEYS.put("networkHours", hours);
        Check size = new Check("a size from 64M to 1P (512M, 4G)", PreferenceKeys::size);
        KEYS.put("memoryLimit", size);
        KEYS.put("diskLimit", size);
        KEYS.put("workBuffer", new Check("a duration from 0 to 48h (30s, 10m, 2h)", PreferenceKeys::duration));
    }

    private PreferenceKeys() {}

    /** Every key, in the order the pages list them. */
    public static List<String> keys() {
        return List.copyOf(KEYS.keySet());
    }

    /**
     * A set of preferences, checked: each value as the worker writes it, or the problems, each naming its key as
     * {@code field}. A null or blank value leaves its key unset.
     */
    static Map<String, String> check(Map<String, String> given, List<FieldError> problems) {
        Map<String, String> checked = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            Check check = KEYS.get(e.getKey());
            if (check == null) {
                problems.add(new FieldError(e.getKey(), "is not a preference; they are " + String.join(", ", KEYS.keySet())));
                continue;
            }
            String value = e.getValue() == null ? "" : e.getValue().strip();
            if (value.isEmpty()) {
                continue;
            }
            Optional<String> normal = value.length() > MAX_VALUE_LENGTH ? Optional.empty()
                    : check.normalize().apply(value);
            if (normal.isEmpty()) {
                problems.add(new FieldError(e.getKey(), "must be " + check.rule()));
            } else {
                checked.put(e.getKey(), normal.get());
            }
        }
        return checked;
    }

    private static Optional<String> cores(String v) {
        if (COUNT.matcher(v).matches()) {
            int n = Integer.parseInt(v);
            return n >= 1 && n <= 1024 ? Optional.of(Integer.toString(n)) : Optional.empty();
        }
        Matcher share = SHARE.matcher(v);
        if (share.matches()) {
            int n = Integer.parseInt(share.group(1));
            return n >= 1 && n <= 100 ? Optional.of(n + "%") : Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Integer> percent(String v) {
        Matcher m = PERCENT.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        int n = Integer.parseInt(m.group(1));
        return n >= 1 && n <= 100 ? Optional.of(n) : Optional.empty();
    }

    private static Optional<String> hours(String v) {
        if (v.equalsIgnoreCase("always")) {
            return Optional.of("always");
        }
        String[] parts = v.split(",", -1);
        if (parts.length > 8) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            String w = part.replace(" ", "");
            if (!WINDOW.matcher(w).matches()) {
                return Optional.empty();
            }
            b.append(b.isEmpty() ? "" : ",").append(w);
        }
        return Optional.of(b.toString());
    }

    private static Optional<String> size(String v) {
        Matcher m = SIZE.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        int shift = switch (m.group(2)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 50;
        };
        long n = Long.parseLong(m.group(1));
        if (n > MAX_BYTES >> shift || n << shift < MIN_BYTES) {
            return Optional.empty();
        }
        // the worker reads K, M, G and T; a petabyte is written in terabytes
        return Optional.of(shift == 50 ? (n << 10) + "T" : n + m.group(2).toUpperCase(Locale.ROOT));
    }

    private static Optional<String> duration(String v) {
        if (v.equals("0")) {
            return Optional.of("0");
        }
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        long seconds = switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            default -> n * 3600;
        };
        return seconds <= MAX_BUFFER_SECONDS ? Optional.of(n + m.group(2)) : Optional.empty();
    }
}
