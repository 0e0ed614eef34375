package dev.starling.worker.peer.transfer;

import dev.starling.worker.peer.cache.BlobManifest;
import java.util.function.LongSupplier;

/**
 * Caps the bytes per second this worker uploads to peers ({@code --upload-rate}) or fetches from them and the
 * coordinator ({@code --download-rate}), across all of them: a
 * token bucket of one chunk's depth, so a volunteer's link sees a steady trickle rather than bursts.
 * A sender takes what it needs and, if the bucket runs into debt, waits until the debt is paid; concurrent
 * senders therefore share the rate fairly in arrival order.
 */
public final class RateLimiter {
    /** Waits, and can be told to stop waiting. */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private static final RateLimiter UNLIMITED = new RateLimiter(0, System::nanoTime, null);

    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final double depth;
    private double tokens; // guarded by this; negative = debt
    private long refilledAt; // guarded by this

    RateLimiter(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.depth = BlobManifest.CHUNK_SIZE;
        this.tokens = depth;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** At most {@code bytesPerSecond} on average; 0 means no cap. */
    public static RateLimiter of(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a rate must not be negative, was " + bytesPerSecond);
        }
        return bytesPerSecond == 0 ? UNLIMITED
                : new RateLimiter(bytesPerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    public boolean isUnlimited() {
        return bytesPerSecond == 0;
    }

    /** Waits until {@code bytes} may be sent. */
    public void acquire(long bytes) throws InterruptedException {
        if (isUnlimited()) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            tokens = Math.min(depth, tokens + (now - refilledAt) * (bytesPerSecond / 1e9));
            refilledAt = now;
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerSecond * 1e9);
        }
        if (waitNanos > 0) {
            sleeper.sleepNanos(waitNanos);
        }
    }
}
