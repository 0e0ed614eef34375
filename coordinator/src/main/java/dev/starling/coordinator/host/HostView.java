package dev.starling.coordinator.host;

import java.time.Instant;
import java.util.List;

/**
 * A host as the admin ({@code GET /api/v1/hosts}) and its volunteer ({@code GET /api/v1/volunteers/me}) see it.
 *
 * @param volunteerId the volunteer who owns it; null for an anonymous host
 * @param workerVersion the worker release it runs, and {@code protocolVersion} the worker protocol it speaks (null
 *     before it registered again since protocols were recorded), as of its last registration
 * @param outdated whether it runs an old worker: older than the coordinator's release, or speaking less than the
 *     newest protocol taken (its worker was told what to install)
 * @param validCount results validated, ever (likewise the other counts); credit only for validated results
 * @param recent rolling counts: its latest results weigh most (about the last {@code starling.reliability.window})
 * @param reliability the share of its recent results that were valid, 0 to 1; null before it has any
 * @param quarantinedAt when it was quarantined (its results need a partner in good standing, it gets fewer tasks
 *     a day); null when it is not
 * @param tasksToday tasks sent to it today (UTC) while quarantined, against its daily quota
 * @param bannedAt when the admin banned it (its calls are refused); null when it is not
 * @param peerAddress where other workers fetch blobs from it; null when it serves none (opted out, behind NAT)
 * @param peerBannedAt when it was banned from serving peers, after distinct hosts received bad chunks from it;
 *     null when it is not
 * @param tokenRotationAskedAt when the admin asked it to replace its token, until it has; null when nobody asked
 * @param tokenRotatedAt when it last replaced its token; null when it never has
 * @param tokenRevokedAt when the admin revoked its token, until it registers again with its volunteer's key
 * @param wasmMemoryMiB the linear memory it gives deployed (WebAssembly) apps' tasks; null when it runs none
 */
public record HostView(long id, String name, Long volunteerId, String volunteerName, int cores, long memoryBytes,
        String os, String arch, String workerVersion, Integer protocolVersion, boolean outdated, List<String> apps,
        long validCount, long invalidCount, long errorCount, long timedOutCount, double credit, Recent recent,
        Double reliability, Instant quarantinedAt, String quarantineReason, int tasksToday, Instant bannedAt,
        String banReason, Instant createdAt, Instant lastContactAt, String peerAddress, Instant peerBannedAt,
        Instant tokenRotationAskedAt, Instant tokenRotatedAt, Instant tokenRevokedAt, Integer wasmMemoryMiB) {

    /** Rolling counts of recent results (decayed, so not whole numbers). */
    public record Recent(double valid, double invalid, double errors, double timedOut) {}
}
