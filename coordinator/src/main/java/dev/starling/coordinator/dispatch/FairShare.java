package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.AfterCommit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Whose work the next claim takes: among the researchers with work waiting, the one this coordinator has served
 * least for their share (start-time fair queuing). Each researcher has a virtual time, the tasks this coordinator
 * gave them divided by their share; the claim asks for the researchers least served first, and adds what it gave.
 *
 * <p>The researchers waiting (and their shares and apps) are read from the database every {@code refresh}
 * ({@link DispatchQueries#waiting}, a loose index scan), and at once by a claim that found nothing among those it
 * knew. A researcher that starts waiting again starts from the least virtual time of those waiting (never below its
 * own): time without work earns no credit, so a newcomer shares at once and does not take everything until it has
 * caught up. Everything here is this coordinator's own: each coordinator serves the researchers in proportion to
 * their shares, and so do all of them together (docs/architecture.md, "Fair share").
 */
@Component
class FairShare {
    private final DispatchQueries queries;
    private final long refreshNanos;

    /** the researchers with work waiting at the last read, by id */
    private Map<Long, DispatchQueries.Waiting> waiting = Map.of();
    /** tasks given divided by share, of every researcher seen */
    private final Map<Long, Double> virtualTime = new HashMap<>();
    /** the least virtual time among those waiting at the last read: where a researcher that starts waiting starts */
    private double floor;
    private long readAt;
    private boolean everRead;

    FairShare(DispatchQueries queries, StarlingProperties properties) {
        this.queries = queries;
        this.refreshNanos = properties.dispatch().fairShareRefresh().toNanos();
    }

    /**
     * The researchers (0: the admin's jobs) with work waiting in any of {@code apps}, least served first; read again
     * when the last read is older than the refresh interval, or {@code reread}.
     */
    synchronized List<DispatchQueries.Waiting> order(Set<String> apps, boolean reread) {
        if (reread || !everRead || System.nanoTime() - readAt >= refreshNanos) {
            read();
        }
        return waiting.values().stream()
                .filter(w -> !w.mayBeOf(apps).isEmpty())
                .sorted(Comparator.comparingDouble((DispatchQueries.Waiting w) -> virtualTime(w.researcherId()))
                        .thenComparingLong(DispatchQueries.Waiting::researcherId))
                .toList();
    }

    /** Counts {@code tasks} given to the researcher, once the claim's transaction commits. */
    void served(long researcherId, int tasks) {
        if (tasks > 0) {
            AfterCommit.run(() -> add(researcherId, tasks));
        }
    }

    private synchronized void add(long researcherId, int tasks) {
        DispatchQueries.Waiting w = waiting.get(researcherId);
        int share = w == null ? 1 : w.share();
        virtualTime.merge(researcherId, floor + (double) tasks / share, (old, x) -> old + (double) tasks / share);
    }

    private void read() {
        if (!waiting.isEmpty()) {
            floor = Math.max(floor, waiting.keySet().stream().mapToDouble(this::virtualTime)
                    .min().orElse(floor));
        }
        Map<Long, DispatchQueries.Waiting> now = queries.waiting().stream()
                .collect(Collectors.toMap(DispatchQueries.Waiting::researcherId, Function.identity()));
        for (Long r : now.keySet()) {
            if (!waiting.containsKey(r)) {
                virtualTime.merge(r, floor, Math::max);
            }
        }
        waiting = now;
        readAt = System.nanoTime();
        everRead = true;
    }

    private double virtualTime(long researcherId) {
        return virtualTime.getOrDefault(researcherId, floor);
    }
}
