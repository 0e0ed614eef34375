package dev.starling.worker.peer.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.worker.peer.cache.BlobManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock of the test's own: what it would wait, never how long a test takes. */
class RateLimiterTest {
    private long now;
    private final List<Long> waits = new ArrayList<>();

    private RateLimiter limiter(long bytesPerSecond) {
        return new RateLimiter(bytesPerSecond, () -> now, nanos -> {
            waits.add(nanos);
            now += nanos;
        });
    }

    @Test
    void letsOneChunkGoAtOnceThenPacesToTheRate() throws InterruptedException {
        RateLimiter limiter = limiter(BlobManifest.CHUNK_SIZE / 2); // half a chunk per second

        limiter.acquire(BlobManifest.CHUNK_SIZE);
        limiter.acquire(BlobManifest.CHUNK_SIZE);
        limiter.acquire(BlobManifest.CHUNK_SIZE);

        assertThat(waits).containsExactly(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void timeSpentElsewhereRefillsTheBucketUpToOneChunk() throws InterruptedException {
        RateLimiter limiter = limiter(BlobManifest.CHUNK_SIZE);
        limiter.acquire(BlobManifest.CHUNK_SIZE);
        now += TimeUnit.SECONDS.toNanos(10); // idle: the bucket fills, but holds no more than one chunk

        limiter.acquire(BlobManifest.CHUNK_SIZE);
        limiter.acquire(BlobManifest.CHUNK_SIZE);

        assertThat(waits).containsExactly(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void noCapNeverWaits() throws InterruptedException {
        RateLimiter limiter = RateLimiter.of(0);
        assertThat(limiter.isUnlimited()).isTrue();
        limiter.acquire(Long.MAX_VALUE);
    }
}
