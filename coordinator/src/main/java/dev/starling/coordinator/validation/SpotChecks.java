package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.HostTrustTable;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.workunit.ReplicaState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Spot checks (Sarmenta), in the deciding transaction: a work unit a quorum of agreeing results just validated is
 * given out once more now and then, as an ordinary unsent replica (only {@code result.spot_check} tells it apart,
 * and it never leaves the coordinator); the claim's rule that no host gets two replicas of a work unit sends it to a
 * host that did not compute it. Its report is judged against the known answer like any late report; one that
 * disagrees convicts its host: quarantined until the admin releases it, every trust run ended, and
 * {@link Rechecker} re-opens the work units whose validation it took part in.
 */
@Component
class SpotChecks {
    private static final Logger log = LoggerFactory.getLogger(SpotChecks.class);

    private final SpotCheckQueries queries;
    private final HostTrustTable trust;
    private final HostService hostService;
    private final double rate;
    /** spot checks owed: every validated work unit adds the rate; a spot check pays one (this coordinator's count) */
    private double owed;

    SpotChecks(SpotCheckQueries queries, HostTrustTable trust, HostService hostService,
            StarlingProperties properties) {
        this.hostService = hostService;
        this.queries = queries;
        this.trust = trust;
        this.rate = properties.spotChecks().rate();
    }

    /**
     * Whether a work unit just validated is checked again. The rate is of all validated work units, but only one
     * validated by at least two agreeing results (a known answer), none of them accepted alone, can be a spot check:
     * every validated work unit adds {@code rate} to what is owed, and such a one pays one when at least one is owed
     * (so with adaptive replication, where most work units are validated alone, the few replicated ones are checked
     * more often). What is owed is this coordinator's count, lost at a restart, at most {@value #MOST_OWED}.
     */
    synchronized boolean draw(QuorumRule.Validate verdict) {
        if (rate == 0) {
            return false;
        }
        owed = Math.min(MOST_OWED, owed + rate);
        long agreeing = verdict.judgements().stream().filter(j -> j.to() == ReplicaState.VALID).count();
        if (owed < 1 || agreeing < 2 || verdict.canonical().alone()) {
            return false;
        }
        owed -= 1;
        return true;
    }

    private static final int MOST_OWED = 1000;

    /** Adds a spot-check replica to each of the work units; returns how many were added. */
    int add(List<Long> workUnitIds, Instant now) {
        return queries.add(workUnitIds, now);
    }

    boolean isSpotCheck(long resultId) {
        return queries.isSpotCheck(resultId);
    }

    /** Convicts hosts that failed a spot check (host id to the work unit they failed it on). */
    void convict(Map<Long, Long> hosts, Instant now) {
        hosts.forEach((host, workUnit) -> {
            queries.convict(host, "failed a spot check (work unit " + workUnit + ")", now);
            trust.end(host);
            AfterCommit.run(() -> hostService.forget(host)); // its next call is served as quarantined
            AfterCommit.run(() -> log.warn("Host {} failed a spot check on work unit {}: quarantined, the results it "
                    + "helped validate to be re-checked", host, workUnit));
        });
    }

    /** Re-checked work units validated again: those whose canonical output changed count as overturned. */
    void revalidated(Map<Long, Long> canonicals, Instant now) {
        queries.revalidated(canonicals.keySet(), now);
    }
}
