package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.coordinator.host.WorkerVersions;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Why a RequestWork got no task, told to its worker ({@code NoWork} in worker.proto) and kept on the host's row for
 * its volunteer's page. Asked only when a call ends empty, after its claims: the claim path does nothing more. The
 * first that holds of: paused by its volunteer; a daily limit reached ({@link DailyLimits}); quarantined with today's
 * tasks used; what the head of the queue holds
 * for its apps is kept from it by the claim's rules (a replica on this host or its volunteer's, on its network, sent
 * moments ago) or was taken by others first; the head holds only work it cannot run (an app it lacks, WebAssembly,
 * memory), or needs a newer worker; nothing queued. The words name no count, so they change only when the reason
 * does: the row is written only then, and the worker logs only then.
 */
@Component
class NoWorkReasons {
    private static final Logger log = LoggerFactory.getLogger(NoWorkReasons.class);
    /** the longest message, in characters (worker.proto) */
    static final int MAX_MESSAGE = 500;
    /** apps named in a message at most */
    private static final int NAMED_APPS = 5;

    /** Why no task came: a {@code NoWork.Reason} and its words. */
    record Reason(Code code, String message) {
        Reason {
            message = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
        }
    }

    /** The codes of {@code NoWork.Reason}, by the same names. */
    enum Code {
        NO_WORK, NEEDS_CAPABILITY, HAS_REPLICA, SAME_NETWORK, HANDED_OUT, QUARANTINED, PAUSED, WORKER_TOO_OLD,
        DAILY_LIMIT
    }

    static final Reason PAUSED = new Reason(Code.PAUSED,
            "paused by its volunteer on the web: resume it on your account's page to get work again");

    private final NoWorkQueries queries;
    private final RunnableApps runnable;
    private final DailyLimits limits;
    private final WorkerVersions versions;
    private final Clock clock;
    private final StarlingProperties.Dispatch dispatch;
    private final int tasksPerDay;
    /** hosts whose row holds a reason, as far as this coordinator knows: cleared when they are given tasks */
    private final Set<Long> recorded = ConcurrentHashMap.newKeySet();

    NoWorkReasons(NoWorkQueries queries, RunnableApps runnable, DailyLimits limits, WorkerVersions versions, Clock clock,
            StarlingProperties properties) {
        this.limits = limits;
        this.queries = queries;
        this.runnable = runnable;
        this.versions = versions;
        this.clock = clock;
        this.dispatch = properties.dispatch();
        this.tasksPerDay = properties.reliability().quarantineTasksPerDay();
    }

    /**
     * Why the host's call, which asked for {@code maxTasks}, got none; recorded on its row when it changed. Empty when
     * the worker asked for none (and is not paused), when the host is gone, and when the database cannot tell now:
     * the answer goes out without a reason rather than fail.
     */
    Optional<Reason> explain(AuthenticatedHost host, int maxTasks) {
        if (host.paused()) {
            return Optional.of(PAUSED); // the volunteer's page shows the pause itself
        }
        if (maxTasks <= 0) {
            return Optional.empty();
        }
        try {
            Instant now = clock.instant();
            Optional<NoWorkQueries.HostRow> row = queries.host(host.id(), HostStanding.day(now));
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Reason reason = reason(host, row.get(), now);
            if (!reason.code().name().equals(row.get().recorded()) || !reason.message().equals(row.get().recordedMessage())) {
                queries.record(host.id(), reason.code().name(), reason.message(), now);
            }
            recorded.add(host.id());
            return Optional.of(reason);
        } catch (DataAccessException | TransactionException e) {
            log.debug("No reason for host {}'s empty answer: {}", host.id(), e.toString());
            return Optional.empty();
        }
    }

    /** The host was given tasks: its recorded reason no longer holds. */
    void gaveWork(long hostId) {
        if (!recorded.remove(hostId)) {
            return;
        }
        try {
            queries.clear(hostId);
        } catch (DataAccessException | TransactionException e) {
            log.debug("Host {}'s reason not cleared: {}", hostId, e.toString());
        }
    }

    private Reason reason(AuthenticatedHost host, NoWorkQueries.HostRow row, Instant now) {
        LimitReached limit = limits.refused(host.id(), now);
        if (limit != null) {
            return new Reason(Code.DAILY_LIMIT, limit.description() + ": more tasks the next day (UTC)");
        }
        if (row.quarantine() != null && row.tasksToday() >= tasksPerDay) {
            return new Reason(Code.QUARANTINED, "quarantined" + (row.quarantine().isBlank() ? "" : " (" + row.quarantine()
                    + ")") + ": a quarantined host gets " + tasksPerDay + " tasks a day (UTC) and this one had them"
                    + " today; it leaves quarantine when its recent results are good again, or when the project's admin"
                    + " releases it");
        }
        Set<String> apps = runnable.of(host);
        Long volunteer = dispatch.distinct() == StarlingProperties.Distinct.VOLUNTEERS ? host.volunteerId() : null;
        NoWorkQueries.Head head = queries.head(host.id(), volunteer, host.network(), apps.toArray(String[]::new),
                now.minus(dispatch.replicaGap()));
        if (head.probed() > 0) {
            return kept(head);
        }
        if (!head.others().isEmpty()) {
            return cannotRun(host, row, head.others().keySet().iterator().next());
        }
        return new Reason(Code.NO_WORK, apps.isEmpty()
                ? "no work is queued, and this worker offers no app to run: install a worker release with apps, or"
                        + " give WebAssembly memory (--wasm-memory) for the project's deployed apps"
                : "no work is queued for the apps this host runs (" + named(apps) + "): more comes when the project"
                        + " submits jobs, or when the hosts computing the current ones report");
    }

    /** The head holds the host's apps' work, which the claim kept from it, or gave to others first. */
    private static Reason kept(NoWorkQueries.Head head) {
        int free = head.probed() - head.own() - head.volunteer() - head.network() - head.recent();
        int mine = head.own() + head.volunteer();
        if (free > 0 || (head.recent() >= mine && head.recent() >= head.network())) {
            return new Reason(Code.HANDED_OUT, "work is queued for this host's apps, but it went to other hosts"
                    + " first, or a replica of it was sent moments ago (a work unit's replicas are sent apart), or it"
                    + " waits for its inputs: more should come at the next calls");
        }
        if (mine >= head.network()) {
            return new Reason(Code.HAS_REPLICA, head.volunteer() == 0
                    ? "what is queued has a replica on this host already: a work unit's replicas go to different"
                            + " hosts, so it waits for other hosts"
                    : "what is queued has a replica on this host or another of its volunteer's hosts already: a work"
                            + " unit's replicas go to distinct volunteers, so it waits for other volunteers' hosts"
                            + " (a project with fewer volunteers than replicas per work unit leaves it waiting)");
        }
        return new Reason(Code.SAME_NETWORK, "what is queued has a replica on another host of this host's network"
                + " already: hosts of one network count as one place, and a work unit's replicas go to different"
                + " places, so it waits for hosts elsewhere");
    }

    /** The head holds only work of {@code app} (the most queued there) and others this host cannot run. */
    private Reason cannotRun(AuthenticatedHost host, NoWorkQueries.HostRow row, String app) {
        Optional<String> update = row.workerVersion() == null ? Optional.empty()
                : versions.notice(row.protocol() == null ? versions.min() : row.protocol(), row.workerVersion());
        if (AppCatalog.isDeployed(app)) {
            Optional<Integer> memory = runnable.memoryOf(app);
            if (host.wasmMemoryMib() == 0) {
                if (update.isPresent()) {
                    return new Reason(Code.WORKER_TOO_OLD, "the work queued is for " + app + ", a WebAssembly app, and"
                            + " this worker runs none; " + update.get());
                }
                return new Reason(Code.NEEDS_CAPABILITY, "the work queued is for " + app + ", a WebAssembly app"
                        + memory.map(m -> " needing " + m + " MiB").orElse("") + ", and this worker runs no"
                        + " WebAssembly: start it with --wasm-memory" + memory.map(m -> " " + m).orElse("")
                        + " or more");
            }
            if (memory.isPresent() && memory.get() > host.wasmMemoryMib()) {
                return new Reason(Code.NEEDS_CAPABILITY, "the work queued is for " + app + ", which needs "
                        + memory.get() + " MiB of memory for WebAssembly, and this worker gives it "
                        + host.wasmMemoryMib() + " MiB (--wasm-memory): give it " + memory.get() + " or more");
            }
            return new Reason(Code.HANDED_OUT, "the work queued is for " + app + ", queued moments ago: it should come"
                    + " at the next calls");
        }
        if (update.isPresent()) {
            return new Reason(Code.WORKER_TOO_OLD, "the work queued is for " + app + ", which this worker does not"
                    + " have; " + update.get());
        }
        return new Reason(Code.NEEDS_CAPABILITY, "the work queued is for " + app + ", which this worker does not have"
                + (host.apps().isEmpty() ? "" : " (it runs " + named(host.apps()) + ")")
                + ": a worker with that app can run it");
    }

    private static String named(Collection<String> apps) {
        Set<String> sorted = new TreeSet<>(apps);
        return sorted.size() <= NAMED_APPS ? String.join(", ", sorted)
                : String.join(", ", sorted.stream().limit(NAMED_APPS).toList()) + " and " + (sorted.size() - NAMED_APPS)
                        + " more";
    }
}
