package dev.starling.worker.config;

import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.support.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * What the volunteer chose about how the worker shares the machine, checked. See docs/volunteer-guide.md for each
 * one; a refusal names the setting as the volunteer wrote it.
 *
 * @param cpuLimitPercent the share of the allowed cores' time tasks may use while the computer is in use, 1 to 100
 *     ({@code --cpu-limit})
 * @param cpuLimitIdlePercent the same while the computer is idle ({@code --cpu-limit-idle}); unless set, as
 *     {@code --cpu-limit}
 * @param idleOnly compute only while the machine is otherwise idle ({@code --idle-only})
 * @param busyCpuPercent other processes' CPU use, in percent of the machine, above which it is busy
 *     ({@code --busy-cpu})
 * @param busyGrace how long other processes must be busy in a row before the computer counts as in use, so that a
 *     short burst changes nothing ({@code --busy-grace})
 * @param idleAfter how long the user must have left the machine alone before it counts as idle
 *     ({@code --idle-after}), where user activity can be read
 * @param maxCpuTempCelsius the CPU temperature above which tasks pause, in degrees Celsius; 0: never for heat
 *     ({@code --max-cpu-temp})
 * @param computeHours when tasks may compute ({@code --compute-hours})
 * @param networkHours when the worker may transfer data ({@code --network-hours})
 * @param memoryLimitBytes the most heap memory tasks may hold before no more start, at least 64 MiB; 0: no limit
 *     ({@code --memory-limit})
 * @param workBuffer how much work, in time, the worker keeps in hand beyond what runs ({@code --work-buffer})
 * @param checkpointInterval how often apps are told a checkpoint is due, at least a second
 *     ({@code --checkpoint-interval})
 * @param journalBytes the most disk space checkpoints and unreported results take; 0: no limit (part of
 *     {@code --disk-limit})
 */
public record Preferences(
        int cpuLimitPercent,
        int cpuLimitIdlePercent,
        boolean idleOnly,
        int busyCpuPercent,
        Duration busyGrace,
        Duration idleAfter,
        int maxCpuTempCelsius,
        TimeWindows computeHours,
        TimeWindows networkHours,
        long memoryLimitBytes,
        Duration workBuffer,
        Duration checkpointInterval,
        long journalBytes) {

    /** The smallest {@code --memory-limit} and {@code --disk-limit}. */
    public static final long MIN_LIMIT_BYTES = 64L << 20;

    public Preferences {
        Objects.requireNonNull(busyGrace, "busyGrace");
        Objects.requireNonNull(idleAfter, "idleAfter");
        Objects.requireNonNull(computeHours, "computeHours");
        Objects.requireNonNull(networkHours, "networkHours");
        Objects.requireNonNull(workBuffer, "workBuffer");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Percent.check("--cpu-limit", cpuLimitPercent);
        Percent.check("--cpu-limit-idle", cpuLimitIdlePercent);
        Percent.check("--busy-cpu", busyCpuPercent);
        notNegative("--busy-grace", busyGrace);
        notNegative("--idle-after", idleAfter);
        Celsius.check(maxCpuTempCelsius);
        notNegative("--work-buffer", workBuffer);
        if (memoryLimitBytes != 0) {
            atLeast64M("--memory-limit", memoryLimitBytes);
        }
        if (checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--checkpoint-interval must be at least 1s, was " + checkpointInterval);
        }
        if (journalBytes < 0) {
            throw new IllegalArgumentException("the journal's share of --disk-limit must not be negative, was "
                    + journalBytes);
        }
    }

    /** What a worker does unless told otherwise: everything allowed, always, as long as the CPU keeps cool. */
    public static Preferences defaults() {
        return builder().build();
    }

    /** Starts from the {@link Defaults}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts from these preferences. */
    public Builder toBuilder() {
        Builder b = builder().cpuLimitPercent(cpuLimitPercent).idleOnly(idleOnly).busyCpuPercent(busyCpuPercent)
                .busyGrace(busyGrace).idleAfter(idleAfter).maxCpuTempCelsius(maxCpuTempCelsius)
                .computeHours(computeHours).networkHours(networkHours).memoryLimitBytes(memoryLimitBytes)
                .workBuffer(workBuffer).checkpointInterval(checkpointInterval).journalBytes(journalBytes);
        // an idle limit equal to the in-use one follows it when that changes (it was not set apart)
        return cpuLimitIdlePercent == cpuLimitPercent ? b : b.cpuLimitIdlePercent(cpuLimitIdlePercent);
    }

    static void notNegative(String option, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative, was " + value);
        }
    }

    /** @throws IllegalArgumentException when {@code bytes} is below {@link #MIN_LIMIT_BYTES} */
    public static long atLeast64M(String option, long bytes) {
        if (bytes < MIN_LIMIT_BYTES) {
            throw new IllegalArgumentException(option + " must be at least 64M, was " + bytes + " bytes");
        }
        return bytes;
    }

    /** Preferences, from the defaults up. */
    public static final class Builder {
        private int cpuLimitPercent = Integer.parseInt(Defaults.CPU_LIMIT);
        private Integer cpuLimitIdlePercent; // null: as cpuLimitPercent
        private boolean idleOnly;
        private int busyCpuPercent = Integer.parseInt(Defaults.BUSY_CPU);
        private Duration busyGrace = Durations.parse(Defaults.BUSY_GRACE);
        private Duration idleAfter = Durations.parse(Defaults.IDLE_AFTER);
        private int maxCpuTempCelsius = Celsius.parse(Defaults.MAX_CPU_TEMP);
        private TimeWindows computeHours = TimeWindows.always();
        private TimeWindows networkHours = TimeWindows.always();
        private long memoryLimitBytes;
        private Duration workBuffer = Durations.parse(Defaults.WORK_BUFFER);
        private Duration checkpointInterval = Durations.parse(Defaults.CHECKPOINT_INTERVAL);
        private long journalBytes;

        private Builder() {}

        public Builder cpuLimitPercent(int value) {
            cpuLimitPercent = value;
            return this;
        }

        /** Default: as {@link #cpuLimitPercent}. */
        public Builder cpuLimitIdlePercent(int value) {
            cpuLimitIdlePercent = value;
            return this;
        }

        public Builder busyGrace(Duration value) {
            busyGrace = value;
            return this;
        }

        /** 0: tasks never pause for heat. */
        public Builder maxCpuTempCelsius(int value) {
            maxCpuTempCelsius = value;
            return this;
        }

        public Builder idleOnly(boolean value) {
            idleOnly = value;
            return this;
        }

        public Builder busyCpuPercent(int value) {
            busyCpuPercent = value;
            return this;
        }

        public Builder idleAfter(Duration value) {
            idleAfter = value;
            return this;
        }

        public Builder computeHours(TimeWindows value) {
            computeHours = value;
            return this;
        }

        public Builder networkHours(TimeWindows value) {
            networkHours = value;
            return this;
        }

        /** 0: no limit. */
        public Builder memoryLimitBytes(long value) {
            memoryLimitBytes = value;
            return this;
        }

        public Builder workBuffer(Duration value) {
            workBuffer = value;
            return this;
        }

        public Builder checkpointInterval(Duration value) {
            checkpointInterval = value;
            return this;
        }

        /** 0: no limit. */
        public Builder journalBytes(long value) {
            journalBytes = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is wrong */
        public Preferences build() {
            return new Preferences(cpuLimitPercent, cpuLimitIdlePercent != null ? cpuLimitIdlePercent : cpuLimitPercent,
                    idleOnly, busyCpuPercent, busyGrace, idleAfter, maxCpuTempCelsius, computeHours, networkHours,
                    memoryLimitBytes, workBuffer, checkpointInterval, journalBytes);
        }
    }
}
