package dev.starling.worker.session;

/**
 * The coordinator refuses this worker for good: its account key is wrong or missing (UNAUTHENTICATED on
 * Register), or its host is banned (PERMISSION_DENIED). Retrying cannot help; the message says what to do.
 */
public class RefusedException extends RuntimeException {

    public RefusedException(String coordinatorMessage) {
        super(coordinatorMessage);
    }
}
