package dev.starling.coordinator.host;

import java.time.Instant;
import java.util.List;

/**
 * A host as {@code GET /api/v1/hosts} shows it.
 *
 * @param volunteerId the volunteer who owns it; null for an anonymous host
 * @param peerAddress where other workers fetch blobs from it; null when it serves none (opted out, behind NAT)
 * @param peerBannedAt when it was banned from serving peers, after distinct hosts received bad chunks from it;
 *     null when it is not
 */
public record HostView(long id, String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
        List<String> apps, Long volunteerId, long validCount, long invalidCount, long errorCount, long timedOutCount, double credit,
        Instant createdAt, Instant lastContactAt, String peerAddress, Instant peerBannedAt) {}
