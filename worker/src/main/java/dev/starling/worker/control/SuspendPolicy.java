package dev.starling.worker.control;

import dev.starling.worker.support.ByteSizes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decides, about once a second, whether tasks must pause and why, and which CPU limit is in force. The computer is
 * <em>in use</em> while someone used the keyboard or mouse less than {@code --idle-after} ago (where the worker can
 * see that) or while other programs use more than {@code --busy-cpu} of the machine, for {@code --busy-grace} in a row
 * (so that a short burst changes nothing; it counts as idle again after a few quiet readings in a row, so that a busy
 * machine does not make tasks flicker on and off); else it is <em>idle</em>. Where the keyboard and mouse cannot be
 * seen (a service has no view of input devices), other programs' CPU use alone tells.
 *
 * <p>Tasks pause outside the compute hours; while the CPU is hotter than {@code --max-cpu-temp}, until it has cooled
 * {@value #COOLING} degrees below it; and with {@code --idle-only}, while the computer is in use. Otherwise they
 * compute at {@code --cpu-limit} while the computer is in use and at {@code --cpu-limit-idle} while it is idle. Pure
 * logic on the readings it is given, so that tests drive it with readings and a time of their own.
 */
public final class SuspendPolicy {
    /** How far below {@code --max-cpu-temp} the CPU must cool before tasks go on, in degrees Celsius. */
    public static final int COOLING = 10;

    /**
     * What the volunteer chose, checked by the configuration.
     *
     * @param busyShare other programs' share of the machine's CPU above which it is busy, 0 to 1
     * @param busyGrace how long other programs must be busy in a row before the computer counts as in use
     * @param maxCpuTempCelsius the temperature above which tasks pause; 0: they never pause for heat
     */
    public record Rules(TimeWindows computeHours, boolean idleOnly, double busyShare, Duration busyGrace,
            Duration idleAfter, int cpuLimitPercent, int cpuLimitIdlePercent, int maxCpuTempCelsius) {
        public Rules {
            Objects.requireNonNull(computeHours, "computeHours");
            Objects.requireNonNull(busyGrace, "busyGrace");
            Objects.requireNonNull(idleAfter, "idleAfter");
        }
    }

    /**
     * What one look at the machine found.
     *
     * @param suspend why tasks must not compute now; empty when they may
     * @param cpuLimitPercent the CPU limit in force
     * @param inUse why the computer is in use; empty while it is idle
     * @param userSeen whether the worker can see keyboard and mouse use at all
     * @param temperature the CPU's temperature, or why it cannot be read
     */
    public record Verdict(Optional<String> suspend, int cpuLimitPercent, Optional<String> inUse, boolean userSeen,
            CpuTemperature.Reading temperature) {}

    private final Rules rules;
    private final int quietReadings;
    private final CpuReadings cpu;
    private final UserActivity user;
    private final CpuTemperature temperature;
    private Instant busySince; // null: other programs were quiet at the last reading
    private boolean busy;
    private int quiet;
    private double lastBusyShare;
    private boolean hot;

    /** @param quietReadings how many readings in a row at or below the busy share make a busy machine idle again */
    public SuspendPolicy(Rules rules, int quietReadings, CpuReadings cpu, UserActivity user, CpuTemperature temperature) {
        this.rules = rules;
        this.quietReadings = quietReadings;
        this.cpu = cpu;
        this.user = user;
        this.temperature = temperature;
    }

    /** Looks at the machine at {@code now}. */
    public Verdict evaluate(ZonedDateTime now) {
        Instant instant = now.toInstant();
        readOthers(instant);
        Optional<Instant> input = user.lastInput();
        Duration sinceInput = input.map(t -> Duration.between(t, instant)).orElse(null);
        boolean someoneThere = sinceInput != null && sinceInput.compareTo(rules.idleAfter()) < 0;
        Optional<String> inUse;
        if (someoneThere) {
            inUse = Optional.of("keyboard or mouse " + Math.max(0, sinceInput.toSeconds()) + " s ago");
        } else if (busy) {
            inUse = Optional.of(String.format(Locale.ROOT, "other programs use %.0f%% of the CPU (more than %.0f%%)",
                    100 * lastBusyShare, 100 * rules.busyShare()));
        } else {
            inUse = Optional.empty();
        }
        CpuTemperature.Reading heat = temperature.read();
        Optional<String> suspend;
        if (!rules.computeHours().contains(now.toLocalTime())) {
            suspend = Optional.of("outside the compute hours " + rules.computeHours());
        } else if (tooHot(heat.celsius())) {
            suspend = Optional.of(String.format(Locale.ROOT, "the CPU is at %.0f °C, above --max-cpu-temp %d °C (tasks"
                    + " go on below %d °C)", heat.celsius().orElse(Double.NaN), rules.maxCpuTempCelsius(),
                    rules.maxCpuTempCelsius() - COOLING));
        } else if (rules.idleOnly() && inUse.isPresent()) {
            suspend = Optional.of(someoneThere
                    ? "the computer is in use (" + inUse.get() + "; tasks go on after " + rules.idleAfter().toSeconds()
                            + " s without input)"
                    : inUse.get());
        } else {
            suspend = Optional.empty();
        }
        return new Verdict(suspend, inUse.isPresent() ? rules.cpuLimitPercent() : rules.cpuLimitIdlePercent(), inUse,
                input.isPresent(), heat);
    }

    /** Other programs' CPU use: busy after {@code --busy-grace} above the share, idle after a few quiet readings. */
    private void readOthers(Instant now) {
        OptionalDouble others = cpu.otherProcesses();
        if (others.isEmpty()) {
            return; // no reading: the state stays as it was
        }
        if (others.getAsDouble() > rules.busyShare()) {
            quiet = 0;
            lastBusyShare = others.getAsDouble();
            if (busySince == null) {
                busySince = now;
            }
            if (!busy && Duration.between(busySince, now).compareTo(rules.busyGrace()) >= 0) {
                busy = true;
            }
        } else {
            busySince = null;
            if (busy && ++quiet >= quietReadings) {
                busy = false;
            }
        }
    }

    /** Hot above the limit until cooled {@link #COOLING} degrees below it; without a reading, not hot. */
    private boolean tooHot(OptionalDouble celsius) {
        int limit = rules.maxCpuTempCelsius();
        if (limit <= 0 || celsius.isEmpty()) {
            hot = false;
        } else if (celsius.getAsDouble() > limit) {
            hot = true;
        } else if (celsius.getAsDouble() < limit - COOLING) {
            hot = false;
        }
        return hot;
    }

    /** The memory tasks fill, for the reason tasks wait to start. */
    public static String memoryReason(long inUse, long limit) {
        return "waiting for memory (" + ByteSizes.format(inUse) + " in use, --memory-limit " + ByteSizes.format(limit)
                + ")";
    }
}
