package dev.starling.worker.control;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Times of day when something is allowed, as a volunteer writes them: {@code 09:00-17:00}, several separated by
 * commas, a window past midnight as {@code 22:00-06:00}. The start is included, the end is not; a window whose
 * start equals its end is the whole day. No windows at all means always.
 */
public final class TimeWindows {
    private static final TimeWindows ALWAYS = new TimeWindows(List.of(), "always");

    private record Window(LocalTime from, LocalTime to) {
        boolean contains(LocalTime t) {
            if (from.equals(to)) {
                return true;
            }
            return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
        }
    }

    private final List<Window> windows;
    private final String text;

    private TimeWindows(List<Window> windows, String text) {
        this.windows = List.copyOf(windows);
        this.text = text;
    }

    public static TimeWindows always() {
        return ALWAYS;
    }

    /**
     * Parses {@code HH:MM-HH:MM[,HH:MM-HH:MM...]}; {@code always} (or an empty text) is every hour of the day.
     *
     * @throws IllegalArgumentException saying how to write it
     */
    public static TimeWindows parse(String text) {
        String value = text == null ? "" : text.strip();
        if (value.isEmpty() || value.equalsIgnoreCase("always")) {
            return ALWAYS;
        }
        List<Window> windows = new ArrayList<>();
        for (String part : value.split(",")) {
            String[] ends = part.strip().split("-");
            if (ends.length != 2) {
                throw new IllegalArgumentException(invalid(text));
            }
            try {
                windows.add(new Window(LocalTime.parse(ends[0].strip()), LocalTime.parse(ends[1].strip())));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(invalid(text));
            }
        }
        return new TimeWindows(windows, value);
    }

    private static String invalid(String text) {
        return "'" + text + "' is not a list of time windows; write for example 09:00-17:00 or 22:00-06:00,12:00-13:00";
    }

    public boolean isAlways() {
        return windows.isEmpty() || windows.stream().anyMatch(w -> w.from().equals(w.to()));
    }

    public boolean contains(LocalTime time) {
        return isAlways() || windows.stream().anyMatch(w -> w.contains(time));
    }

    /**
     * When {@link #contains} next changes after {@code now} (to the minute: windows are written in minutes), or
     * empty when it never does.
     */
    public Optional<ZonedDateTime> nextChange(ZonedDateTime now) {
        if (isAlways()) {
            return Optional.empty();
        }
        boolean inside = contains(now.toLocalTime());
        LocalDateTime t = now.toLocalDateTime().withSecond(0).withNano(0);
        for (int minute = 1; minute <= 24 * 60; minute++) {
            LocalDateTime next = t.plusMinutes(minute);
            if (contains(next.toLocalTime()) != inside) {
                return Optional.of(next.atZone(now.getZone()));
            }
        }
        return Optional.empty();
    }

    /** How long until {@link #contains} next changes, at most a day. */
    public Duration untilChange(ZonedDateTime now) {
        return nextChange(now).map(next -> Duration.between(now, next)).orElse(Duration.ofDays(1));
    }

    @Override
    public String toString() {
        return text;
    }
}
