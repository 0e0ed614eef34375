package dev.starling.coordinator.host;

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

    Probation(HostTable hosts, StarlingProperties properties) {
        this.hosts = hosts;
        this.settings = properties.trust();
        this.enforced = settings.probationResults() > 0 && settings.enforceAfter() == 0;
    }

    /** Whether the host's results need a partner in good standing because its volunteer is new. */
    public boolean onProbation(AuthenticatedHost host) {
        return host.validResults() < settings.probationResults() && enforced();
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
