package dev.starling.swarm.internal;

import tools.jackson.databind.JsonNode;

/** A host's counts as the REST API shows them (a host view: {@code GET /api/v1/volunteers/me}, {@code GET /api/v1/hosts}). */
public record HostCounts(long id, String name, long validCount, long invalidCount, long errorCount, long timedOutCount,
        double credit) {

    public static HostCounts of(JsonNode item) {
        return new HostCounts(item.path("id").asLong(0), item.path("name").asString(""),
                item.path("validCount").asLong(0), item.path("invalidCount").asLong(0),
                item.path("errorCount").asLong(0), item.path("timedOutCount").asLong(0),
                item.path("credit").asDouble(0));
    }
}
