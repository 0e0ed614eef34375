package dev.starling.coordinator.host;

import java.time.Instant;
import java.util.List;

/** A host as {@code GET /api/v1/hosts} shows it. */
public record HostView(long id, String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
        List<String> apps, long validCount, long invalidCount, long errorCount, long timedOutCount, double credit,
        Instant createdAt, Instant lastContactAt) {}
