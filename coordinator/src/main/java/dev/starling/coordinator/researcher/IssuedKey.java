package dev.starling.coordinator.researcher;

import java.time.Instant;

/**
 * A new API key, the only time it is shown.
 *
 * @param key what the researcher sends as {@code Authorization: Bearer <key>}
 */
public record IssuedKey(long researcherId, String name, long keyId, String key, Instant createdAt) {}
