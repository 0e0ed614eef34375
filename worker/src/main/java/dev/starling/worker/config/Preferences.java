package dev.starling.worker.config;

import dev.starling.worker.control.TimeWindows;
import java.time.Duration;
import java.util.Objects;

/**
 * What the volunteer chose about how the worker shares the machine (the command line and config file, after
 * validation). See docs/volunteer-guide.md for each one.
 *
 * @param cpuLimitPercent the share of the allowed cores' time tasks may use, 1 to 100 ({@code --cpu-limit})
 * @param idleOnly compute only while the machine is otherwise idle ({@code --idle-only})
 * @param busyCpuPercent other processes' CPU use, in percent of the machine, above which it is busy
 *     ({@code --busy-cpu})
 * @param idleAfter how long the user must have left the machine alone before computing resumes
 *     ({@code --idle-after}), where user activity can be read
 * @param computeHours when tasks may compute ({@code --compute-hours})
 * @param networkHours when the worker may transfer data ({@code --network-hours})
 * @param memoryLimitBytes the most heap memory tasks may hold before no more start; 0: no limit
 *     ({@code --memory-limit})
 * @param workBuffer how much work, in time, the worker keeps in hand beyond what runs ({@code --work-buffer})
 * @param checkpointInterval how often apps are told a checkpoint is due ({@code --checkpoint-interval})
 * @param journalBytes the most disk space checkpoints and unreported results take; 0: no limit (part of
 *     {@code --disk-limit})
 */
public record Preferences(
        int cpuLimitPercent,
        boolean idleOnly,
        int busyCpuPercent,
        Duration idleAfter,
        TimeWindows computeHours,
        TimeWindows networkHours,
        long memoryLimitBytes,
        Duration workBuffer,
        Duration checkpointInterval,
        long journalBytes) {

    public static final int DEFAULT_BUSY_CPU_PERCENT = 25;
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofMinutes(3);
    public static final Duration DEFAULT_WORK_BUFFER = Duration.ofMinutes(10);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);

    public Preferences {
        Objects.requireNonNull(idleAfter, "idleAfter");
        Objects.requireNonNull(computeHours, "computeHours");
        Objects.requireNonNull(networkHours, "networkHours");
        Objects.requireNonNull(workBuffer, "workBuffer");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (cpuLimitPercent < 1 || cpuLimitPercent > 100) {
            throw new IllegalArgumentException("the CPU limit must be 1 to 100 percent, was " + cpuLimitPercent);
        }
        if (busyCpuPercent < 1 || busyCpuPercent > 100) {
            throw new IllegalArgumentException("the busy threshold must be 1 to 100 percent, was " + busyCpuPercent);
        }
        if (memoryLimitBytes < 0 || journalBytes < 0 || idleAfter.isNegative() || workBuffer.isNegative()
                || checkpointInterval.isNegative()) {
            throw new IllegalArgumentException("limits and durations must not be negative");
        }
    }

    /** Everything allowed, always: what a worker does unless told otherwise. */
    public static Preferences defaults() {
        return new Preferences(100, false, DEFAULT_BUSY_CPU_PERCENT, DEFAULT_IDLE_AFTER, TimeWindows.always(),
                TimeWindows.always(), 0, DEFAULT_WORK_BUFFER, DEFAULT_CHECKPOINT_INTERVAL, 0);
    }

    public Preferences withCpuLimit(int percent) {
        return new Preferences(percent, idleOnly, busyCpuPercent, idleAfter, computeHours, networkHours,
                memoryLimitBytes, workBuffer, checkpointInterval, journalBytes);
    }

    public Preferences withIdleOnly(boolean value) {
        return new Preferences(cpuLimitPercent, value, busyCpuPercent, idleAfter, computeHours, networkHours,
                memoryLimitBytes, workBuffer, checkpointInterval, journalBytes);
    }

    public Preferences withHours(TimeWindows compute, TimeWindows network) {
        return new Preferences(cpuLimitPercent, idleOnly, busyCpuPercent, idleAfter, compute, network,
                memoryLimitBytes, workBuffer, checkpointInterval, journalBytes);
    }

    public Preferences withWorkBuffer(Duration value) {
        return new Preferences(cpuLimitPercent, idleOnly, busyCpuPercent, idleAfter, computeHours, networkHours,
                memoryLimitBytes, value, checkpointInterval, journalBytes);
    }

    public Preferences withCheckpointInterval(Duration value) {
        return new Preferences(cpuLimitPercent, idleOnly, busyCpuPercent, idleAfter, computeHours, networkHours,
                memoryLimitBytes, workBuffer, value, journalBytes);
    }

    public Preferences withJournalBytes(long value) {
        return new Preferences(cpuLimitPercent, idleOnly, busyCpuPercent, idleAfter, computeHours, networkHours,
                memoryLimitBytes, workBuffer, checkpointInterval, value);
    }
}
