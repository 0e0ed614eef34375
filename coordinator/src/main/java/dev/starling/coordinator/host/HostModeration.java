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
    private final HostService hosts;
    private final Clock clock;

    HostModeration(HostStanding standing, HostService hosts, Clock clock) {
        this.standing = standing;
        this.hosts = hosts;
        this.clock = clock;
    }

    @Transactional
    public HostView ban(long hostId, String reason) {
        String why = reason(reason, "banned by the admin");
        found(standing.ban(hostId, why, clock.instant()), hostId);
        AfterCommit.run(() -> {
            hosts.forget(hostId);
            log.warn("Host {} banned: {}", hostId, why);
        });
        return hosts.get(hostId);
    }

    @Transactional
    public HostView unban(long hostId) {
        found(standing.unban(hostId), hostId);
        AfterCommit.run(() -> {
            hosts.forget(hostId);
            log.info("Host {} unbanned", hostId);
        });
        return hosts.get(hostId);
    }

    @Transactional
    public HostView quarantine(long hostId, String reason) {
        String why = reason(reason, "quarantined by the admin");
        found(standing.quarantine(hostId, why, clock.instant()), hostId);
        AfterCommit.run(() -> {
            hosts.forget(hostId);
            log.warn("Host {} quarantined by the admin: {}", hostId, why);
        });
        return hosts.get(hostId);
    }

    /** Lifts a quarantine (the admin's or an automatic one) and starts the host's rolling counts afresh. */
    @Transactional
    public HostView release(long hostId) {
        found(standing.release(hostId), hostId);
        AfterCommit.run(() -> {
            hosts.forget(hostId);
            log.info("Host {} released from quarantine", hostId);
        });
        return hosts.get(hostId);
    }

    private static void found(boolean updated, long hostId) {
        if (!updated) {
            throw new NotFoundException("no host " + hostId);
        }
    }

    private static String reason(String given, String fallback) {
        if (given == null || given.isBlank()) {
            return fallback;
        }
        if (given.strip().length() > MAX_REASON_LENGTH) {
            throw new BadRequestException("reason", "must have at most " + MAX_REASON_LENGTH + " characters");
        }
        return given.strip();
    }
}
