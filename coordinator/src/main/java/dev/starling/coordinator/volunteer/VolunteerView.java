package dev.starling.coordinator.volunteer;

import java.time.Instant;

/**
 * A volunteer as the admin sees them (the email is never public).
 *
 * @param validResults results of their hosts that were validated
 * @param credit credit their hosts earned (validated results only)
 * @param bannedAt when the admin banned them (the calls of all their hosts, and registrations with their key, are
 *     refused); null when they are not banned
 */
public record VolunteerView(long id, String name, String email, Instant createdAt, int hosts, long validResults,
        double credit, Instant bannedAt, String banReason) {}
