package dev.starling.coordinator.support;

import java.time.Duration;

/**
 * A call turned away because too many of its kind are being served or wait already: nothing of it was done, and the
 * caller may come back after {@link #retryAfter()}. REST answers it 503 with {@code Retry-After}, gRPC UNAVAILABLE with
 * {@code grpc-retry-pushback-ms}.
 */
public final class OverloadedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    /** @param what the calls there are too many of, as a person reads it ("Register calls") */
    public OverloadedException(String what, Duration retryAfter) {
        super("the coordinator is busy: too many " + what + " at once; retry in "
                + Math.max(1, retryAfter.toSeconds()) + " s", null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
