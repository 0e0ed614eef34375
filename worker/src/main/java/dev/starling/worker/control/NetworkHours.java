package dev.starling.worker.control;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the worker may transfer data ({@code --network-hours}): asking for work, fetching inputs, reporting
 * results and announcing blobs wait outside them. Heartbeats of held tasks go on (a few hundred bytes), so
 * that the coordinator does not take the tasks away. The first loop to find the hours closed says so in the log.
 */
public final class NetworkHours {
    private static final Logger log = LoggerFactory.getLogger(NetworkHours.class);
    private volatile TimeWindows hours;
    private final Clock clock;
    private final Duration longestWait;
    private boolean closed; // guarded by this

    /** @param longestWait waits are cut into pieces no longer than this, so that a clock set forward is noticed */
    public NetworkHours(TimeWindows hours, Clock clock, Duration longestWait) {
        this.hours = hours;
        this.clock = clock;
        this.longestWait = longestWait;
    }

    /** From now on, these hours (the volunteer changed their preferences). */
    public void hours(TimeWindows value) {
        hours = value;
    }

    public boolean isAlways() {
        return hours.isAlways();
    }

    /** Zero when transfers may go now; else how long to wait before asking again. */
    public Duration closedFor() {
        if (hours.isAlways()) {
            return Duration.ZERO;
        }
        ZonedDateTime now = ZonedDateTime.now(clock);
        boolean open = hours.contains(now.toLocalTime());
        synchronized (this) {
            if (open && closed) {
                log.info("Network hours ({}) began: transfers go again", hours);
            } else if (!open && !closed) {
                log.info("Outside the network hours ({}): no transfers until {}", hours,
                        hours.nextChange(now).map(t -> t.format(DateTimeFormatter.ofPattern("HH:mm"))).orElse("later"));
            }
            closed = !open;
        }
        if (open) {
            return Duration.ZERO;
        }
        Duration until = hours.untilChange(now);
        return until.compareTo(longestWait) < 0 ? until.plusMillis(10) : longestWait;
    }

    /** Whether transfers may go now (for the status display). */
    public boolean isOpen() {
        return hours.isAlways() || hours.contains(ZonedDateTime.now(clock).toLocalTime());
    }
}
