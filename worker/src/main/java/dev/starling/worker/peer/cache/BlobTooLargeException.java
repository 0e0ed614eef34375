package dev.starling.worker.peer.cache;

import dev.starling.worker.support.ByteSizes;
import java.io.IOException;

/** A blob larger than the whole cache ({@code --cache-size}): this worker cannot hold it at all. */
public final class BlobTooLargeException extends IOException {
    private final String blobId;

    BlobTooLargeException(String blobId, long size, long capacity) {
        super("blob " + (blobId == null ? "" : blobId + " ") + "of " + size + " bytes"
                + " is larger than this worker's blob cache (--cache-size " + ByteSizes.format(capacity) + ")");
        this.blobId = blobId;
    }

    /** The blob, or null when it was being stored and has no id yet. */
    public String blobId() {
        return blobId;
    }
}
