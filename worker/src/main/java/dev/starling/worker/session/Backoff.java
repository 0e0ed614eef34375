package dev.starling.worker.session;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th pause in a row is uniformly random between zero and
 * {@code min(max, initial * 2^n)}, so that many workers losing one coordinator do not come back in step.
 * One instance per loop; not thread-safe.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private int attempts;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The pause before the next attempt. */
    public Duration next() {
        long ceiling = initialNanos;
        for (int i = 0; i < attempts && ceiling < maxNanos; i++) {
            ceiling = Math.min(maxNanos, ceiling * 2);
        }
        if (ceiling < maxNanos) {
            attempts++;
        }
        return Duration.ofNanos(random.nextLong(ceiling + 1));
    }

    /** After a success: the next failure starts from the initial pause again. */
    public void reset() {
        attempts = 0;
    }
}
