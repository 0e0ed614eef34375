package dev.starling.worker.control;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Keeps one task thread's CPU use at a share of its wall-clock time ({@code --cpu-limit}) by sleeping in the
 * calls the app makes between steps. It compares the thread's CPU time with the time passed since it started:
 * once the thread used more than its share, it sleeps until the share is met again. Time the thread spent
 * waiting (for input, or suspended) counts in its favour for at most one window, so a task that waited does not
 * then run flat out for minutes. The share may change while the task runs (the limit while the computer is in use, or
 * the one while it is idle): the count starts afresh at the new share.
 *
 * <p>Not thread-safe: one pacer per task thread, called from that thread.
 */
public final class Pacer {
    /** Waits; tests pass one that only moves their clock. */
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    /** Looks at the clocks at most this often: the calls between steps may come every microsecond. */
    static final long MIN_CHECK_NANOS = 2_000_000;

    private final DoubleSupplier shares;
    private double share;
    private final LongSupplier cpuNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final long windowNanos;
    private long cpuStart;
    private long wallStart;
    private long lastCheck;

    /**
     * @param share the CPU share allowed, above 0 and at most 1
     * @param cpuNanos the CPU time of the thread being paced
     * @param windowNanos how much unused share may be saved up
     */
    public Pacer(double share, LongSupplier cpuNanos, LongSupplier nanoTime, Sleeper sleeper, long windowNanos) {
        this(() -> share, cpuNanos, nanoTime, sleeper, windowNanos);
    }

    /** @param shares the CPU share allowed now, above 0 and at most 1, asked at every step */
    public Pacer(DoubleSupplier shares, LongSupplier cpuNanos, LongSupplier nanoTime, Sleeper sleeper,
            long windowNanos) {
        this.shares = shares;
        this.share = checked(shares.getAsDouble());
        this.cpuNanos = cpuNanos;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.windowNanos = windowNanos;
        restart();
    }

    private static double checked(double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the share must be above 0 and at most 1, was " + share);
        }
        return share;
    }

    /** Whether this pacer sleeps at the share allowed now. */
    public boolean isLimiting() {
        return share < 1;
    }

    /** Starts counting afresh (after the thread was suspended: that time is no credit). */
    public void restart() {
        cpuStart = cpuNanos.getAsLong();
        wallStart = nanoTime.getAsLong();
        lastCheck = wallStart;
    }

    /** Sleeps as long as the thread is ahead of its share; returns at once when it is not. */
    public void pace() throws InterruptedException {
        double allowed = shares.getAsDouble();
        if (allowed != share) {
            share = checked(allowed);
            restart(); // what was saved up or owed at the old share does not carry over
        }
        if (!isLimiting()) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - lastCheck < MIN_CHECK_NANOS) {
            return;
        }
        lastCheck = now;
        long cpu = cpuNanos.getAsLong() - cpuStart;
        long wall = now - wallStart;
        double credit = wall * share - cpu;
        if (credit > windowNanos * share) {
            // idle time older than a window no longer counts
            wallStart = now - (long) ((cpu + windowNanos * share) / share);
            return;
        }
        if (credit < 0) {
            long sleep = (long) Math.ceil(-credit / share);
            sleeper.sleepNanos(sleep);
            lastCheck = nanoTime.getAsLong();
        }
    }
}
