package dev.starling.worker.control;

/**
 * The CPU limit in force now: {@code --cpu-limit} while the computer is in use, {@code --cpu-limit-idle} while it is
 * idle. The control loop sets it; each task's {@link Pacer} reads it at every step.
 */
public final class CpuLimit {
    private volatile int percent;

    /** @param percent the limit until the control loop first sets one, 1 to 100 */
    public CpuLimit(int percent) {
        set(percent);
    }

    public void set(int value) {
        if (value < 1 || value > 100) {
            throw new IllegalArgumentException("a CPU limit is 1 to 100 percent, was " + value);
        }
        percent = value;
    }

    public int percent() {
        return percent;
    }

    /** The share of its thread's time a task may compute, above 0 and at most 1. */
    public double share() {
        return percent / 100.0;
    }
}
