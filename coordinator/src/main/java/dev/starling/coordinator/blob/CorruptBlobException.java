package dev.starling.coordinator.blob;

/** A stored blob's bytes no longer match its hashes: the disk lost or changed them. */
public class CorruptBlobException extends RuntimeException {
    CorruptBlobException(String message) {
        super(message);
    }
}
