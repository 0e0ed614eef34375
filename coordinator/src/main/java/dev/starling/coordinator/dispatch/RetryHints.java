package dev.starling.coordinator.dispatch;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/**
 * UNAVAILABLE with a hint of when to come back: the trailer {@code grpc-retry-pushback-ms} (gRPC's own name for it, in
 * its retry design A6). Workers wait that long, plus a random part as long again, so that a herd turned away together
 * does not come back together.
 */
final class RetryHints {
    static final Metadata.Key<String> PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private RetryHints() {}

    static StatusRuntimeException unavailable(String description, Duration retryAfter) {
        return Status.UNAVAILABLE.withDescription(description).asRuntimeException(trailers(retryAfter));
    }

    static Metadata trailers(Duration retryAfter) {
        Metadata trailers = new Metadata();
        trailers.put(PUSHBACK, Long.toString(retryAfter.toMillis()));
        return trailers;
    }
}
