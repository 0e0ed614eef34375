package dev.starling.worker.session;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th pause in a row is uniformly random between zero and
 * {@code min(max, initial * 2^n)}, so that many workers losing one coordinator do not come back in step; and never
 * shorter than what a busy coordinator asked for ({@code atLeast}). One instance per loop; not thread-safe.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private final Supplier<Duration> atLeast;
    private int attempts;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this(initial, max, random, () -> Duration.ZERO);
    }

    /** @param atLeast the shortest pause, asked now (the coordinator's retry hint, see {@link CoordinatorClient#quietFor}) */
    public Backoff(Duration initial, Duration max, RandomGenerator random, Supplier<Duration> atLeast) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
        this.atLeast = atLeast;
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
        Duration pause = Duration.ofNanos(random.nextLong(ceiling + 1));
        Duration asked = atLeast.get();
        return pause.compareTo(asked) >= 0 ? pause : asked;
    }

    /** After a success: the next failure starts from the initial pause again. */
    public void reset() {
        attempts = 0;
    }
}
