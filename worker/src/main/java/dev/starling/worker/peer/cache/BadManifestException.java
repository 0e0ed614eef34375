package dev.starling.worker.peer.cache;

/** A manifest that does not describe the blob it was asked for; the message says how. */
public final class BadManifestException extends Exception {
    public BadManifestException(String message) {
        super(message);
    }
}
