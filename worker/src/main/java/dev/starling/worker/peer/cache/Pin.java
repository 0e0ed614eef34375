package dev.starling.worker.peer.cache;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one blob in the cache while something needs it: a running task (its inputs), a running fetch, or
 * a result not yet reported (the blobs its task stored). Pins count by blob id, so a blob can be pinned
 * before it is in the cache at all. Closing twice is harmless.
 */
public final class Pin implements AutoCloseable {
    private final BlobCache cache;
    private final String blobId;
    private final AtomicBoolean released = new AtomicBoolean();

    Pin(BlobCache cache, String blobId) {
        this.cache = cache;
        this.blobId = blobId;
    }

    public String blobId() {
        return blobId;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            cache.unpin(blobId);
        }
    }

    @Override
    public String toString() {
        return "pin on " + blobId + (released.get() ? " (released)" : "");
    }
}
