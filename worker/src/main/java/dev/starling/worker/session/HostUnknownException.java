package dev.starling.worker.session;

/** The coordinator no longer knows the identity a call carried (gRPC UNAUTHENTICATED). */
class HostUnknownException extends RuntimeException {
    private final HostIdentity identity;

    HostUnknownException(HostIdentity identity, String coordinatorMessage) {
        super((identity == null ? "this host" : identity.toString()) + " is not known to the coordinator: " + coordinatorMessage);
        this.identity = identity;
    }

    /** The identity the refused call carried. */
    HostIdentity identity() {
        return identity;
    }
}
