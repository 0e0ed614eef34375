package dev.starling.worker.peer.transfer;

/** No peer and not the coordinator could give this worker a blob (or part of it); the message says why. */
public final class BlobUnavailableException extends Exception {
    private final String blobId;

    BlobUnavailableException(String blobId, String why) {
        super("blob " + blobId + " could not be fetched: " + why);
        this.blobId = blobId;
    }

    public String blobId() {
        return blobId;
    }
}
