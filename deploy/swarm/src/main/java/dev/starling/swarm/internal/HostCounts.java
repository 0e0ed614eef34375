package dev.starling.swarm.internal;

import tools.jackson.databind.JsonNode;

/** A host's counts as {@code GET /api/v1/hosts} shows them. */
public record HostCounts(long id, String name, long validCount, long invalidCount, long errorCount, long timedOutCount,
        double credit) {

    public static HostCounts of(JsonNode item) {
        return new HostCounts(item.path("id").asLong(0), item.path("name").asString(""),
                item.path("validCount").asLong(0), item.path("invalidCount").asLong(0),
                item.path("errorCount").asLong(0), item.path("timedOutCount").asLong(0),
                item.path("credit").asDouble(0));
    }
}
