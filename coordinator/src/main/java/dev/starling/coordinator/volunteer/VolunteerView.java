package dev.starling.coordinator.volunteer;

import java.time.Instant;

/**
 * A volunteer as the admin sees them (the email is never public).
 *
 * @param validResults results of their hosts that were validated
 * @param credit credit their hosts earned (validated results only)
 */
public record VolunteerView(long id, String name, String email, Instant createdAt, int hosts, long validResults,
        double credit) {}
