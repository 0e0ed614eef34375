package dev.starling.worker.session;

/** The coordinator refused this worker's protocol version (gRPC FAILED_PRECONDITION): the worker must be updated. */
public class ProtocolTooOldException extends RuntimeException {

    public ProtocolTooOldException(String coordinatorMessage) {
        super(coordinatorMessage);
    }
}
