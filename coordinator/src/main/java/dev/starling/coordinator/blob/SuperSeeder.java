package dev.starling.coordinator.blob;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.StarlingProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Super-seeding, as BitTorrent seeds do when many peers start at once: the coordinator hands each chunk out
 * once and points later requesters at the hosts it served it to. Per chunk it remembers, for {@code
 * starling.peers.seed-window}, the hosts that are getting or got it and serve peers; a host asking for a chunk
 * that others got is answered with those seeds, and when it asks for the same chunk again (its seeds failed it)
 * it is served.
 *
 * <p>Memory is bounded: at most {@value #MAX_CHUNKS} chunks are remembered (the least used are forgotten
 * first), each with at most {@value #SEEDS_PER_CHUNK} seeds and {@value #REFERRALS_PER_CHUNK} hosts sent to
 * them. Forgetting only ever means serving a chunk itself, never refusing it: a chunk whose referral list is
 * full is served. The memory is this coordinator's own; with several coordinators, each seeds on its own.
 */
@Component
class SuperSeeder {
    static final int MAX_CHUNKS = 8192;
    static final int SEEDS_PER_CHUNK = 8;
    static final int REFERRALS_PER_CHUNK = 256;

    private final Cache<ChunkKey, ChunkSeeds> chunks;
    private final Clock clock;
    private final long windowMillis;

    @Autowired
    SuperSeeder(Clock clock, StarlingProperties properties) {
        this(clock, properties.peers().seedWindow());
    }

    SuperSeeder(Clock clock, Duration window) {
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.chunks = Caffeine.newBuilder()
                .maximumSize(MAX_CHUNKS)
                .expireAfterAccess(window)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .build();
    }

    /** A host the coordinator served a chunk to, and where its PeerService listens. */
    record Seed(long hostId, String address, long atMillis) {}

    private record ChunkKey(String blobId, int index) {}

    /** Recent seeds of one chunk and the hosts sent to them, oldest first; guarded by the cache's compute. */
    private static final class ChunkSeeds {
        final ArrayDeque<Seed> seeds = new ArrayDeque<>();
        final ArrayDeque<long[]> referred = new ArrayDeque<>(); // {hostId, atMillis}

        void forgetBefore(long since) {
            seeds.removeIf(s -> s.atMillis() < since);
            while (!referred.isEmpty() && referred.peekFirst()[1] < since) {
                referred.removeFirst();
            }
        }

        boolean wasReferred(long hostId) {
            return referred.stream().anyMatch(r -> r[0] == hostId);
        }
    }

    /**
     * The peers to send {@code hostId} to for a chunk instead of serving it, newest first; empty when the
     * coordinator should serve it (nobody else got it recently, or this host was sent to seeds already). A host
     * that is to be served and serves peers at {@code address} counts as a seed of the chunk from this moment:
     * hosts asking for it while it is still on its way are sent there too, and wait for it, rather than each
     * being served a copy.
     */
    List<Seed> seedsFor(String blobId, int index, long hostId, Optional<String> address) {
        long now = clock.millis();
        List<Seed> answer = new ArrayList<>();
        chunks.asMap().compute(new ChunkKey(blobId, index), (key, known) -> {
            ChunkSeeds chunk = known == null ? new ChunkSeeds() : known;
            chunk.forgetBefore(now - windowMillis);
            if (!chunk.wasReferred(hostId) && chunk.referred.size() < REFERRALS_PER_CHUNK) {
                for (Iterator<Seed> it = chunk.seeds.descendingIterator(); it.hasNext(); ) {
                    Seed s = it.next();
                    if (s.hostId() != hostId) {
                        answer.add(s);
                    }
                }
            }
            if (!answer.isEmpty()) {
                chunk.referred.addLast(new long[] {hostId, now});
            } else if (address.isPresent()) {
                chunk.seeds.removeIf(s -> s.hostId() == hostId);
                chunk.seeds.addLast(new Seed(hostId, address.get(), now));
                while (chunk.seeds.size() > SEEDS_PER_CHUNK) {
                    chunk.seeds.removeFirst();
                }
            }
            return chunk.seeds.isEmpty() && chunk.referred.isEmpty() ? null : chunk;
        });
        return answer;
    }
}
