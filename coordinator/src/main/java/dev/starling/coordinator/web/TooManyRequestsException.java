package dev.starling.coordinator.web;

import java.time.Duration;

/** The caller made more requests of a kind than a limit allows; it may try again after {@code retryAfter} (429). */
public class TooManyRequestsException extends RuntimeException {
    private final Duration retryAfter;

    public TooManyRequestsException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
