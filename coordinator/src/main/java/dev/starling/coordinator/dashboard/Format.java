package dev.starling.coordinator.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * How the dashboard writes numbers, sizes and times; templates reach it as {@code fmt}. "Ago" is measured
 * on the coordinator's clock.
 */
@Component
public final class Format {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private final Clock clock;

    Format(Clock clock) {
        this.clock = clock;
    }

    /** 1,234,567 */
    public String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 4.2 below ten, 1,234 above */
    public String rate(double perMinute) {
        return String.format(Locale.ROOT, perMinute < 10 ? "%.1f" : "%,.0f", perMinute);
    }

    /** 1.5 GiB */
    public String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, UNITS[unit]);
    }

    /** 42.5% (never "100%" before it is all done, never "0%" once something is) */
    public String percent(double fraction) {
        double p = Math.max(0, Math.min(1, fraction)) * 100;
        if (p > 99.9 && fraction < 1) {
            return "99.9%";
        }
        if (p > 0 && p < 0.1) {
            return "0.1%";
        }
        return String.format(Locale.ROOT, p == Math.rint(p) ? "%.0f%%" : "%.1f%%", p);
    }

    /** A width for a progress bar, e.g. "42.5%" */
    public String width(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", Math.max(0, Math.min(1, fraction)) * 100);
    }

    /** 2026-05-01 12:00:00 UTC */
    public String time(Instant t) {
        return t == null ? "" : UTC.format(t);
    }

    /** "just now", "12 s ago", "5 min ago", "3 h ago", "4 days ago" */
    public String ago(Instant t) {
        if (t == null) {
            return "never";
        }
        long s = Duration.between(t, clock.instant()).toSeconds();
        if (s < 2) {
            return "just now";
        }
        return duration(Duration.ofSeconds(s)) + " ago";
    }

    /** How long from {@code from} to {@code to}, or until now when {@code to} is null: "3 min 20 s" */
    public String elapsed(Instant from, Instant to) {
        if (from == null) {
            return "";
        }
        return duration(Duration.between(from, to == null ? clock.instant() : to));
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s < 600 && s % 60 != 0 ? " " + s % 60 + " s" : "");
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h" + (s % 3600 >= 60 ? " " + s % 3600 / 60 + " min" : "");
        }
        return s / 86400 + " days";
    }
}
