package dev.starling.coordinator.host;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.StarlingProperties;
import org.springframework.stereotype.Component;

/**
 * Whether a host is on probation: its volunteer is new (fewer than {@code starling.trust.probation-results} valid
 * results over their hosts), and the project has enough established volunteers for probation to be enforced
 * ({@code starling.trust.enforce-after}). A replica sent to a host on probation is marked as one sent to a quarantined
 * host is, so the quorum rule counts it only in a group that holds a result of a host in good standing.
 */
@Component
public class Probation {
    private final HostTable hosts;
    private final StarlingProperties.Trust settings;
    private volatile boolean enforced;
    /** System.nanoTime() of the last count of established volunteers; 0 before the first */
    private volatile long countedAt;
    /** volunteers (an anonymous host: minus its id) found established after their hosts' tokens were looked up */
    private final Cache<Long, Boolean> established = Caffeine.newBuilder().maximumSize(100_000).build();
    /** volunteers found new lately: not counted again before {@code recheck} */
    private final Cache<Long, Boolean> foundNew;

    Probation(HostTable hosts, StarlingProperties properties) {
        this.hosts = hosts;
        this.settings = properties.trust();
        this.enforced = settings.probationResults() > 0 && settings.enforceAfter() == 0;
        this.foundNew = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(settings.recheck()).build();
    }

    /**
     * Whether the host's results need a partner in good standing because its volunteer is new. The count that came
     * with the host's token was read when the token was looked up, up to {@link HostService#REMEMBER_TOKENS} ago: a
     * host that looks new by it is counted again (at most every {@code recheck}), and a volunteer found established is
     * remembered. Without that, every host was on probation for up to a minute once it was enforced, however many
     * valid results it had by then, and a fast project's hosts (the bench's) ran into their daily limits with every
     * result waiting for a partner in good standing that none of them could take: no result was judged for minutes.
     */
    public boolean onProbation(AuthenticatedHost host) {
        if (host.validResults() >= settings.probationResults() || !enforced()) {
            return false;
        }
        long key = host.volunteerId() != null ? host.volunteerId() : -host.id();
        if (established.getIfPresent(key) != null) {
            return false;
        }
        if (foundNew.getIfPresent(key) != null) {
            return true;
        }
        boolean isNew = hosts.validResultsOf(host.id()) < settings.probationResults();
        (isNew ? foundNew : established).put(key, Boolean.TRUE);
        return isNew;
    }

    /** Whether probation is enforced: enough volunteers are established (counted at most every {@code recheck}). */
    public boolean enforced() {
        if (enforced || settings.probationResults() == 0) {
            return enforced;
        }
        long now = System.nanoTime();
        if (countedAt != 0 && now - countedAt < settings.recheck().toNanos()) {
            return false;
        }
        countedAt = now;
        enforced = hosts.established(settings.probationResults()) >= settings.enforceAfter();
        return enforced;
    }
}
