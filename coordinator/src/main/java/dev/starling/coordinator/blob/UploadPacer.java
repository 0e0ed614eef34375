package dev.starling.coordinator.blob;

import dev.starling.sdk.ContentAddress;
import java.util.function.LongSupplier;

/**
 * Caps the bytes per second the coordinator serves to workers ({@code starling.peers.upload-rate}), across all
 * of them: a token bucket one chunk deep. A sender sends, then pauses as long as the bucket is in debt; it never
 * blocks a thread (the pause is scheduled), so gRPC's threads stay free.
 */
final class UploadPacer {
    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private double tokens; // guarded by this; negative = debt
    private long refilledAt; // guarded by this

    /** At most {@code bytesPerSecond} on average; 0 means no cap. */
    UploadPacer(long bytesPerSecond, LongSupplier nanoTime) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("starling.peers.upload-rate must not be negative, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.tokens = ContentAddress.CHUNK_SIZE;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Counts {@code bytes} sent; answers how many nanoseconds to wait before sending more (0: none). */
    synchronized long sent(long bytes) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        tokens = Math.min(ContentAddress.CHUNK_SIZE, tokens + (now - refilledAt) * (bytesPerSecond / 1e9));
        refilledAt = now;
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerSecond * 1e9);
    }
}
