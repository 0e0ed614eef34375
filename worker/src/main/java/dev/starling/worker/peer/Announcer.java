package dev.starling.worker.peer;

import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.session.Backoff;
import dev.starling.worker.session.CallFailures;
import dev.starling.worker.session.CoordinatorClient;
import dev.starling.worker.session.Lifecycle;
import dev.starling.worker.session.Session;
import dev.starling.worker.support.Loop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announce loop: tells the coordinator's tracker which blobs this worker holds, so that it can list this
 * worker as a peer for them. After every registration it sends the full list (complete=true: anything else
 * the tracker has for this host is stale); then, as they happen, blobs completed (holding) and evicted
 * (dropped), and complaints about peers that served bad chunks. A failed call is retried with backoff, like
 * every other call to the coordinator.
 */
public final class Announcer extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Announcer.class);

    private final CoordinatorClient client;
    private final Session session;
    private final Announcements announcements;
    private final BlobCache cache;
    private final Backoff backoff;
    private final CallFailures failures;
    private final NetworkHours network;

    Announcer(CoordinatorClient client, Session session, Announcements announcements, BlobCache cache,
            Lifecycle lifecycle, Backoff backoff, NetworkHours network) {
        super("announce");
        this.network = network;
        this.client = client;
        this.session = session;
        this.announcements = announcements;
        this.cache = cache;
        this.backoff = backoff;
        this.failures = new CallFailures("Announcing blobs", session, lifecycle, this::isStopping);
    }

    @Override
    public void run() {
        while (!isStopping()) {
            java.time.Duration closed = network.closedFor();
            if (!closed.isZero()) {
                if (!pause(closed)) {
                    leave();
                }
                continue;
            }
            Announcements.Batch batch;
            try {
                batch = announcements.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            AnnounceBlobsRequest request = request(batch);
            try {
                client.announce(session.identity(), request);
                failures.succeeded();
                backoff.reset();
                log.debug("Announced {} blobs held{}, {} dropped, {} complaints", request.getHoldingCount(),
                        request.getComplete() ? " (the full list)" : "", request.getDroppedCount(),
                        request.getComplaintsCount());
            } catch (RuntimeException e) {
                announcements.putBack(batch);
                switch (failures.failed(e)) {
                    case STOP -> leave();
                    case BACK_OFF -> {
                        if (!pause(backoff.next())) {
                            leave();
                        }
                    }
                    case RETRY -> backoff.reset();
                }
            }
        }
        log.debug("Announce loop stopped");
    }

    private AnnounceBlobsRequest request(Announcements.Batch batch) {
        AnnounceBlobsRequest.Builder request = AnnounceBlobsRequest.newBuilder().addAllComplaints(batch.complaints());
        if (batch.full()) {
            // the list as it is now: whatever completed or was dropped before this moment is in it
            return request.setComplete(true).addAllHolding(cache.completeIds()).build();
        }
        return request.addAllHolding(batch.holding()).addAllDropped(batch.dropped()).build();
    }
}
