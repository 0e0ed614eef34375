package dev.starling.worker.session;

import java.util.Objects;

/**
 * Who this worker is to the coordinator: the host id and the secret token the coordinator gave it.
 *
 * @param hostId the host's id
 * @param token the secret sent as {@code authorization: Bearer <token>}
 */
public record HostIdentity(long hostId, String token) {

    public HostIdentity {
        Objects.requireNonNull(token, "token");
    }

    /** Keeps the token out of logs and exception messages. */
    @Override
    public String toString() {
        return "host " + hostId;
    }
}
