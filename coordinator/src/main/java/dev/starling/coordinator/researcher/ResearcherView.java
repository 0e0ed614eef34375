package dev.starling.coordinator.researcher;

import java.time.Instant;
import java.util.List;

/** A researcher and their API keys (never the keys themselves: those are shown once, when made). */
public record ResearcherView(long id, String name, Instant createdAt, List<Key> keys) {

    /** @param revokedAt null while the key works */
    public record Key(long id, Instant createdAt, Instant revokedAt) {}
}
