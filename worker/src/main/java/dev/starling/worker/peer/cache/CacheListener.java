package dev.starling.worker.peer.cache;

import java.util.List;

/** Hears what the coordinator's tracker must learn about the cache: blobs now held in full, blobs gone. */
public interface CacheListener {
    CacheListener NONE = new CacheListener() {
        @Override
        public void completed(String blobId) {}

        @Override
        public void dropped(List<String> blobIds) {}
    };

    /** The blob is held in full and verified (its fetch ended, or a task stored it). */
    void completed(String blobId);

    /** The blobs were evicted (or found damaged) and are no longer held, in full or in part. */
    void dropped(List<String> blobIds);
}
