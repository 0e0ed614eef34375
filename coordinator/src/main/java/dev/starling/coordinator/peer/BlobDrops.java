package dev.starling.coordinator.peer;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Tells hosts, at their next RequestWork or Heartbeat, which blobs to drop from their caches (the blob collector and
 * the purger write them). Whether there are any at all is read at most every {@link #RECHECK}, so the dispatch path
 * pays for a query only while drops wait. A drop is taken when its answer is built: should the answer be lost, the
 * host keeps the blob until its cache evicts it, which wastes only its disk.
 */
@Component
public class BlobDrops {
    private static final Logger log = LoggerFactory.getLogger(BlobDrops.class);
    /** the most drops one answer carries */
    static final int PER_ANSWER = 200;
    static final Duration RECHECK = Duration.ofSeconds(5);

    private final BlobDropQueries queries;
    private volatile long checkedAt = System.nanoTime() - RECHECK.toNanos();
    private volatile boolean pending;

    BlobDrops(BlobDropQueries queries) {
        this.queries = queries;
    }

    /**
     * The blobs the host should drop now (usually none). Best effort: when the database cannot be reached the answer
     * goes without them (a RequestWork or Heartbeat that needs no database must not fail for this), and they wait.
     */
    public List<String> take(long hostId) {
        try {
            long now = System.nanoTime();
            if (now - checkedAt >= RECHECK.toNanos()) {
                pending = queries.any();
                checkedAt = now;
            }
            return pending ? queries.take(hostId, PER_ANSWER) : List.of();
        } catch (DataAccessException e) {
            log.debug("Blobs to drop for host {} not read: {}", hostId, e.toString());
            return List.of();
        }
    }
}
