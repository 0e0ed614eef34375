package dev.starling.coordinator.support;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;

/**
 * UNAVAILABLE with a hint of when to come back: the trailer {@code grpc-retry-pushback-ms} (gRPC's own name for it, in
 * its retry design A6). Workers wait that long, plus a random part as long again, so that a herd turned away together
 * does not come back together.
 */
public final class RetryHints {
    public static final Metadata.Key<String> PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private RetryHints() {}

    public static StatusRuntimeException unavailable(String description, Duration retryAfter) {
        return Status.UNAVAILABLE.withDescription(description).asRuntimeException(trailers(retryAfter));
    }

    public static Metadata trailers(Duration retryAfter) {
        Metadata trailers = new Metadata();
        trailers.put(PUSHBACK, Long.toString(retryAfter.toMillis()));
        return trailers;
    }

    /** When a refusal made here says to come back; empty when it says nothing of it. */
    public static Optional<Duration> retryAfter(StatusRuntimeException e) {
        String millis = e.getTrailers() == null ? null : e.getTrailers().get(PUSHBACK);
        try {
            return millis == null ? Optional.empty() : Optional.of(Duration.ofMillis(Long.parseLong(millis)));
        } catch (NumberFormatException bad) {
            return Optional.empty();
        }
    }
}
