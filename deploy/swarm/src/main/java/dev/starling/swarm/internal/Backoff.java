package dev.starling.swarm.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, as the worker does it: the n-th pause in a row is uniformly random
 * between zero and {@code min(max, initial * 2^n)}. One per host loop; not thread-safe.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private int attempts;

    Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    Duration next() {
        long ceiling = initialNanos;
        for (int i = 0; i < attempts && ceiling < maxNanos; i++) {
            ceiling = Math.min(maxNanos, ceiling * 2);
        }
        if (ceiling < maxNanos) {
            attempts++;
        }
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    void reset() {
        attempts = 0;
    }
}
