package dev.starling.coordinator.peer;

import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Tells hosts, at their next RequestWork or Heartbeat, which blobs to drop from their caches (the blob collector and
 * the purger write them). Whether there are any at all is read at most every {@link #RECHECK}, so the dispatch path
 * pays for a query only while drops wait. A drop is taken when its answer is built: should the answer be lost, the
 * host keeps the blob until its cache evicts it, which wastes only its disk.
 */
@Component
public class BlobDrops {
    /** the most drops one answer carries */
    static final int PER_ANSWER = 200;
    static final Duration RECHECK = Duration.ofSeconds(5);

    private final BlobDropQueries queries;
    private volatile long checkedAt = System.nanoTime() - RECHECK.toNanos();
    private volatile boolean pending;

    BlobDrops(BlobDropQueries queries) {
        this.queries = queries;
    }

    /** The blobs the host should drop now (usually none). */
    public List<String> take(long hostId) {
        long now = System.nanoTime();
        if (now - checkedAt >= RECHECK.toNanos()) {
            pending = queries.any();
            checkedAt = now;
        }
        if (!pending) {
            return List.of();
        }
        return queries.take(hostId, PER_ANSWER);
    }
}
