package dev.starling.coordinator.retention;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Sweeper;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * BOINC's file_deleter: blobs nothing references any more ({@link BlobCollectQueries}) are deleted once they have been
 * unreferenced since before {@code starling.retention.blob-grace}, a batch per transaction: their rows and the
 * tracker's holders in the transaction, their bytes after it commits. Hosts that held them are told to drop them at
 * their next contact.
 */
@Component
class BlobCollector extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(BlobCollector.class);
    private static final int BATCH = 100;

    private final BlobCollectQueries queries;
    private final BlobService blobs;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final StarlingProperties.Retention settings;

    BlobCollector(BlobCollectQueries queries, BlobService blobs, TransactionTemplate tx, Clock clock,
            StarlingProperties properties) {
        super("blob-collector", properties.retention().interval());
        this.queries = queries;
        this.blobs = blobs;
        this.tx = tx;
        this.clock = clock;
        this.settings = properties.retention();
    }

    @Override
    protected boolean step() {
        Boolean worked = tx.execute(status -> {
            Instant now = clock.instant();
            List<String> ids = queries.lockUnreferenced(now.minus(settings.blobGrace()), BATCH);
            if (ids.isEmpty()) {
                return false;
            }
            queries.delete(ids, now);
            AfterCommit.run(() -> {
                blobs.deleteBytes(ids);
                log.info("Collected {} unreferenced blob(s)", ids.size());
            });
            return true;
        });
        return Boolean.TRUE.equals(worked);
    }
}
