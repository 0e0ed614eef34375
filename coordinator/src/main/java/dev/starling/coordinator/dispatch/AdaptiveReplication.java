package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostTrustTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/**
 * Adaptive replication at claim time (BOINC's), in the claim's transaction: a replica just given to a host whose
 * last n results for the app were all valid (n at least {@code trust-after}) stands alone with probability
 * {@code 1 - 1/n}, when its work unit is fresh (no other replica sent yet) and its job allows it. Its work unit's
 * other unsent replicas are cancelled in the same statement, and the replica is marked {@code alone}: its success
 * is a quorum by itself ({@code QuorumRule}); if it fails, times out or is given back, the work unit asks for its
 * full quorum again, so it is never left short.
 *
 * <p>The other replicas are locked with {@code SKIP LOCKED}: one that another claim holds may be on its way to
 * another host, and then the work unit is replicated as usual. The worker is told nothing: an alone task looks like
 * any other.
 */
@Component
class AdaptiveReplication {
    private final AdaptiveQueries queries;
    private final HostTrustTable trust;
    private final StarlingProperties.AdaptiveReplication settings;

    AdaptiveReplication(AdaptiveQueries queries, HostTrustTable trust, StarlingProperties properties) {
        this.queries = queries;
        this.trust = trust;
        this.settings = properties.adaptiveReplication();
    }

    /**
     * Of the tasks just claimed, lets those drawn for trusted hosts (never quarantined ones) stand alone where their
     * work units and jobs allow. Returns how many do.
     */
    int acceptAlone(List<ClaimedTask> claimed, Set<Long> quarantined) {
        if (!settings.enabled() || claimed.isEmpty()) {
            return 0;
        }
        Long[] hosts = claimed.stream().map(ClaimedTask::hostId).filter(h -> !quarantined.contains(h)).distinct()
                .toArray(Long[]::new);
        if (hosts.length == 0) {
            return 0;
        }
        Map<Long, Map<String, Integer>> runs = trust.trusted(hosts, settings.trustAfter());
        if (runs.isEmpty()) {
            return 0;
        }
        List<Long> drawn = new ArrayList<>();
        for (ClaimedTask t : claimed) {
            Integer n = runs.getOrDefault(t.hostId(), Map.of()).get(t.app());
            if (n != null && ThreadLocalRandom.current().nextDouble() < 1.0 - 1.0 / n) {
                drawn.add(t.resultId());
            }
        }
        return drawn.isEmpty() ? 0 : queries.standAlone(drawn.toArray(Long[]::new));
    }
}
