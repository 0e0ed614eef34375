package dev.starling.worker.peer.transfer;

import java.util.List;

/** Some of a task's input blobs could be fetched from nobody; the task fails as INPUT_UNAVAILABLE. */
public final class InputsUnavailableException extends Exception {
    private final List<String> missingBlobIds;

    InputsUnavailableException(List<BlobUnavailableException> causes) {
        super(String.join("; ", causes.stream().map(Throwable::getMessage).toList()));
        this.missingBlobIds = causes.stream().map(BlobUnavailableException::blobId).toList();
        causes.forEach(this::addSuppressed);
    }

    public List<String> missingBlobIds() {
        return missingBlobIds;
    }
}
