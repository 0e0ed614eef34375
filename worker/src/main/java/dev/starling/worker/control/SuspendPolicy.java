package dev.starling.worker.control;

import dev.starling.worker.support.ByteSizes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decides, about once a second, whether tasks must pause and why: outside the compute hours; with
 * {@code --idle-only}, while other programs use more than {@code --busy-cpu} of the machine (it counts as idle
 * again after a few quiet readings in a row, so a busy machine does not make tasks flicker on and off), or while
 * the keyboard or mouse was used less than {@code --idle-after} ago. Pure logic on the readings it is given, so
 * that tests drive it with readings and a time of their own.
 */
public final class SuspendPolicy {
    private final TimeWindows computeHours;
    private final boolean idleOnly;
    private final double busyShare;
    private final Duration idleAfter;
    private final int quietReadings;
    private final CpuReadings cpu;
    private final UserActivity user;
    private boolean busy;
    private int quiet;
    private double lastBusyShare;

    /**
     * @param busyShare other programs' share of the machine's CPU above which it is busy, 0 to 1
     * @param quietReadings how many readings in a row at or below it make a busy machine idle again
     */
    public SuspendPolicy(TimeWindows computeHours, boolean idleOnly, double busyShare, Duration idleAfter,
            int quietReadings, CpuReadings cpu, UserActivity user) {
        this.computeHours = computeHours;
        this.idleOnly = idleOnly;
        this.busyShare = busyShare;
        this.idleAfter = idleAfter;
        this.quietReadings = quietReadings;
        this.cpu = cpu;
        this.user = user;
    }

    /** Whether anything can ever suspend tasks; when not, nobody needs to ask. */
    public boolean mayEverSuspend() {
        return idleOnly || !computeHours.isAlways();
    }

    /** Why tasks must not compute at {@code now}; empty when they may. */
    public Optional<String> evaluate(ZonedDateTime now) {
        Optional<String> machine = idleOnly ? machineInUse(now.toInstant()) : Optional.empty();
        if (!computeHours.contains(now.toLocalTime())) {
            return Optional.of("outside the compute hours " + computeHours);
        }
        return machine;
    }

    private Optional<String> machineInUse(Instant now) {
        OptionalDouble others = cpu.otherProcesses();
        if (others.isPresent()) {
            if (others.getAsDouble() > busyShare) {
                busy = true;
                quiet = 0;
                lastBusyShare = others.getAsDouble();
            } else if (busy && ++quiet >= quietReadings) {
                busy = false;
            }
        }
        Optional<Instant> input = user.lastInput();
        if (input.isPresent()) {
            Duration since = Duration.between(input.get(), now);
            if (since.compareTo(idleAfter) < 0) {
                return Optional.of("the computer is in use (keyboard or mouse " + Math.max(0, since.toSeconds())
                        + " s ago; tasks go on after " + idleAfter.toSeconds() + " s without input)");
            }
        }
        if (busy) {
            return Optional.of(String.format(Locale.ROOT, "other programs use %.0f%% of the CPU (more than %.0f%%)",
                    100 * lastBusyShare, 100 * busyShare));
        }
        return Optional.empty();
    }

    /** The memory tasks fill, for the reason tasks wait to start. */
    public static String memoryReason(long inUse, long limit) {
        return "waiting for memory (" + ByteSizes.format(inUse) + " in use, --memory-limit " + ByteSizes.format(limit)
                + ")";
    }
}
