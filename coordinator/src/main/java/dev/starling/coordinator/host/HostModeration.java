package dev.starling.coordinator.host;

import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the admin does to a host. A ban refuses every call of the host (PERMISSION_DENIED with the reason; its tasks
 * in progress time out and are reissued); quarantine makes its results need a partner in good standing and caps its
 * tasks a day, until the admin releases it (an automatic quarantine is also lifted when the host recovers).
 * Each takes effect at once on this coordinator and within a minute on others (they remember hosts' tokens for
 * that long).
 */
@Service
public class HostModeration {
    private static final Logger log = LoggerFactory.getLogger(HostModeration.class);
    static final int MAX_REASON_LENGTH = 500;

    private final HostStanding standing;
    private final HostTable table;
    private final HostService hosts;
    private final Clock clock;

    HostModeration(HostStanding standing, HostTable table, HostService hosts, Clock clock) {
        this.standing = standing;
        this.table = table;
        this.hosts = hosts;
        this.clock = clock;
    }

    @Transactional
    public HostView ban(long hostId, String reason) {
        String why = reason(reason, "banned by the admin");
        return changed(hostId, standing.ban(hostId, why, clock.instant()), () -> log.warn("Host {} banned: {}", hostId, why));
    }

    @Transactional
    public HostView unban(long hostId) {
        return changed(hostId, standing.unban(hostId), () -> log.info("Host {} unbanned", hostId));
    }

    @Transactional
    public HostView quarantine(long hostId, String reason) {
        String why = reason(reason, "quarantined by the admin");
        return changed(hostId, standing.quarantine(hostId, why, clock.instant()),
                () -> log.warn("Host {} quarantined by the admin: {}", hostId, why));
    }

    /**
     * Asks the host to replace its token: its next RequestWork or Heartbeat answer says so, its worker calls
     * RotateToken and stores the new token before it uses it; the old one works until then. Its tasks go on.
     */
    @Transactional
    public HostView rotateToken(long hostId) {
        return changed(hostId, table.askRotation(hostId, clock.instant()),
                () -> log.info("Host {} is asked to replace its token", hostId));
    }

    /**
     * Revokes the host's token, without a ban: its calls are refused (UNAUTHENTICATED) until it registers again with
     * its volunteer's account key, as the same host with a new token (its tasks go on if it is back within their
     * leases).
     */
    @Transactional
    public HostView revokeToken(long hostId) {
        return changed(hostId, table.revoke(hostId, clock.instant()), () -> log.warn("Host {}'s token is revoked", hostId));
    }

    /** Lifts a quarantine (the admin's or an automatic one) and starts the host's rolling counts afresh. */
    @Transactional
    public HostView release(long hostId) {
        return changed(hostId, standing.release(hostId), () -> log.info("Host {} released from quarantine", hostId));
    }

    /**
     * The host as it is now that {@code updated} says whether it existed; once the change commits, this coordinator
     * forgets what it remembered of the host's standing and the change is logged.
     */
    private HostView changed(long hostId, boolean updated, Runnable logLine) {
        if (!updated) {
            throw new NotFoundException("no host " + hostId);
        }
        AfterCommit.run(() -> {
            hosts.forget(hostId);
            logLine.run();
        });
        return hosts.get(hostId);
    }

    /** The admin's reason, stripped; {@code fallback} when none is given; a 400 when it is too long. */
    public static String reason(String given, String fallback) {
        if (given == null || given.isBlank()) {
            return fallback;
        }
        if (given.strip().length() > MAX_REASON_LENGTH) {
            throw new BadRequestException("reason", "must have at most " + MAX_REASON_LENGTH + " characters");
        }
        return given.strip();
    }
}
