package dev.starling.coordinator.security;

import java.util.Optional;

/** Checks the keys of one kind (one prefix): researchers' API keys, volunteers' account keys. */
public interface KeyAuthenticator {
    /** The prefix of this kind of key ({@code sr}, {@code sv}). */
    String prefix();

    /** Who the key with this id and secret belongs to; empty when it is unknown, revoked or wrong. */
    Optional<Caller> authenticate(long id, String secret);
}
