package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.host.ControlSignal;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.coordinator.host.Probation;
import dev.starling.coordinator.metrics.DomainMeters;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Batcher;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.Transactions;
import io.grpc.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Hands work to hosts (long poll when there is none) and keeps the leases of running tasks. */
@Service
class Dispatcher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final DispatchQueries queries;
    private final TransactionTemplate tx;
    private final Transactions transactions;
    /** RequestWork calls that arrive together claim together */
    private final Batcher<ClaimRequest, List<ClaimedTask>> claims;
    private final WorkSignal signal;
    private final RunnableApps runnable;
    private final Tracker tracker;
    private final HostStanding standing;
    private final Probation probation;
    private final ControlSignal controls;
    private final AdaptiveReplication adaptive;
    private final DailyLimits limits;
    private final DomainMeters meters;
    private final Clock clock;
    private final StarlingProperties.Dispatch settings;
    private final int maxParked;
    /** jobs known to be past QUEUED (a cache: forgetting one costs one statement) */
    private final Set<Long> runningJobs = ConcurrentHashMap.newKeySet();

    Dispatcher(DispatchQueries queries, TransactionTemplate tx, Transactions transactions, WorkSignal signal,
            RunnableApps runnable, Tracker tracker, HostStanding standing, Probation probation, ControlSignal controls,
            AdaptiveReplication adaptive, DailyLimits limits, DomainMeters meters, Clock clock,
            StarlingProperties properties) {
        this.limits = limits;
        this.probation = probation;
        this.controls = controls;
        this.adaptive = adaptive;
        this.runnable = runnable;
        this.meters = meters;
        this.tracker = tracker;
        this.standing = standing;
        this.queries = queries;
        this.tx = tx;
        this.transactions = transactions;
        this.signal = signal;
        this.clock = clock;
        this.settings = properties.dispatch();
        this.maxParked = properties.trust().maxParked();
        this.claims = new Batcher<>("claims", 256, properties.admission().batchQueue(),
                properties.admission().retryAfter(), this::claimBatch);
        meters.batchQueue("claims", claims);
    }

    /**
     * Claims up to {@code maxTasks} tasks for the host; when there are none, waits up to {@code wait}
     * for work to appear. An empty answer is normal.
     */
    List<ClaimedTask> requestWork(AuthenticatedHost host, int maxTasks, Duration wait) throws InterruptedException {
        int limit = Math.min(Math.max(maxTasks, 0), settings.maxTasksPerRequest());
        if (host.paused()) {
            // paused by its volunteer: no tasks; a long poll all the same (its worker asks only to hear "resume"),
            // which a resume on this coordinator ends at once
            controls.await(host.id(), min(wait, settings.maxWait()));
            return List.of();
        }
        if (limit == 0 || (host.apps().isEmpty() && host.wasmMemoryMib() == 0)) {
            return List.of();
        }
        if (limits.refused(host.id(), clock.instant()) != null) {
            // over a daily limit a moment ago (the reason was logged then): a long poll without claiming
            controls.await(host.id(), min(wait, settings.maxWait()));
            return List.of();
        }
        // waiting is measured on the monotonic clock; the injected clock is for what gets written
        long giveUp = System.nanoTime() + min(wait, settings.maxWait()).toNanos();
        for (boolean first = true; ; first = false) {
            long seen = signal.generation();
            List<ClaimedTask> tasks = claim(host, runnable.of(host), limit, first);
            if (!tasks.isEmpty() && Context.current().isCancelled()) {
                // the worker hung up (shutdown, lost connection): the answer would be lost, so the tasks too
                tx.executeWithoutResult(s -> signal.workCreated(
                        queries.unclaim(host.id(), tasks.stream().map(ClaimedTask::resultId).toList())));
                return List.of();
            }
            Duration left = Duration.ofNanos(giveUp - System.nanoTime());
            if (!tasks.isEmpty() || left.isNegative() || left.isZero() || !signal.isOpen()
                    || Context.current().isCancelled()) {
                return tasks;
            }
            signal.awaitAfter(seen, left);
        }
    }

    /** One RequestWork's share of a claim batch: {@code apps}, those whose tasks the host may be given. */
    private record ClaimRequest(AuthenticatedHost host, Set<String> apps, int limit) {}

    /**
     * The host's share of the next claim batch. When too many calls wait for it already, a call's first claim is
     * answered busy ({@link OverloadedException}); a long poll woken up with many others finds nothing and waits on.
     */
    private List<ClaimedTask> claim(AuthenticatedHost host, Set<String> apps, int limit, boolean first)
            throws InterruptedException {
        if (apps.isEmpty()) {
            return List.of();
        }
        long start = System.nanoTime();
        List<ClaimedTask> tasks;
        try {
            tasks = claims.run(new ClaimRequest(host, apps, limit));
        } catch (OverloadedException e) {
            if (first) {
                throw e;
            }
            return List.of();
        }
        meters.dispatchLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return tasks;
    }

    /**
     * Claims for every RequestWork of a batch in one transaction: one statement locks candidates for all of
     * them (one scan of the queue's head instead of one per call), skipping work units that any host of the batch
     * or any of their volunteers has a replica of; they are shared out here (one replica of a work unit per batch,
     * so never two to one host or one volunteer), and one statement assigns them; then adaptive replication lets
     * some tasks of trusted hosts stand alone ({@link AdaptiveReplication}). A job is marked RUNNING
     * by the first claim this coordinator makes of it (skipped for jobs it has seen running).
     */
    private List<List<ClaimedTask>> claimBatch(List<ClaimRequest> requests) {
        for (int attempt = 1; ; attempt++) {
            try {
                List<List<ClaimedTask>> answers = transactions.retrying(() -> claimOnce(requests));
                meters.dispatched(answers.stream().mapToInt(List::size).sum());
                return answers;
            } catch (DuplicateKeyException e) {
                // another coordinator gave one of these hosts (or volunteers) a replica of the same work unit at once
                if (attempt == 3) {
                    throw e;
                }
                log.debug("Concurrent claim of one work unit for one host, claiming again");
            }
        }
    }

    private List<List<ClaimedTask>> claimOnce(List<ClaimRequest> requests) {
        Instant now = clock.instant();
        // a quarantined host gets what is left of its daily quota (its row stays locked until this commits)
        Map<Long, Integer> quota = quotas(requests, now);
        // daily limits: what each host (and its volunteer's hosts together) may still take today
        DailyLimits.Allowance allowance = limits.allowance(requests.stream().map(ClaimRequest::host).toList(), now);
        ToIntFunction<ClaimRequest> limit = r -> allowance.most(r.host(),
                Math.min(r.limit(), quota.getOrDefault(r.host().id(), r.limit())));
        int wanted = requests.stream().mapToInt(limit).sum();
        Long[] hostIds = requests.stream().map(r -> r.host().id()).distinct().toArray(Long[]::new);
        Long[] volunteerIds = requests.stream().map(r -> volunteer(r.host())).filter(Objects::nonNull).distinct()
                .toArray(Long[]::new);
        String[] networks = requests.stream().map(r -> r.host().network()).filter(Objects::nonNull).distinct()
                .toArray(String[]::new);
        String[] apps = requests.stream().flatMap(r -> r.apps().stream()).distinct().toArray(String[]::new);
        List<DispatchQueries.Candidate> candidates = queries.candidates(hostIds, volunteerIds, networks, apps,
                now.minus(settings.replicaGap()), wanted * 4);
        // one replica per work unit in a batch, best first (the candidates' order)
        Set<Long> seen = new HashSet<>();
        List<DispatchQueries.Candidate> pool = new ArrayList<>();
        for (DispatchQueries.Candidate c : candidates) {
            if (seen.add(c.workUnitId())) {
                pool.add(c);
            }
        }
        Inputs inputs = inputs(pool, hostIds);
        List<Long> ids = new ArrayList<>();
        List<Long> hosts = new ArrayList<>();
        List<Long> volunteers = new ArrayList<>();
        List<String> nets = new ArrayList<>();
        List<Boolean> quarantined = new ArrayList<>();
        Map<Long, Integer> spent = new HashMap<>();
        Set<Long> hostsServed = new HashSet<>();
        Set<Long> untrustedHosts = new HashSet<>();
        for (ClaimRequest r : requests) {
            if (!hostsServed.add(r.host().id())) {
                continue; // two calls of one host in one batch: the second waits for the next batch
            }
            int given = 0;
            int most = limit.applyAsInt(r);
            boolean inQuarantine = quota.containsKey(r.host().id());
            // a quarantined host's replicas, and a new volunteer's, count toward a quorum only with a trusted partner
            boolean untrusted = inQuarantine || probation.onProbation(r.host());
            if (untrusted) {
                untrustedHosts.add(r.host().id());
            }
            // locality first: work units whose blobs the host holds already, then the rest in queue order
            for (boolean local : inputs.isEmpty() ? new boolean[] {false} : new boolean[] {true, false}) {
                for (var it = pool.iterator(); it.hasNext() && given < most; ) {
                    DispatchQueries.Candidate c = it.next();
                    if (r.apps().contains(c.app()) && (!local || inputs.isLocal(c, r.host().id()))) {
                        ids.add(c.resultId());
                        hosts.add(r.host().id());
                        volunteers.add(volunteer(r.host()));
                        nets.add(r.host().network());
                        quarantined.add(untrusted);
                        it.remove();
                        given++;
                    }
                }
            }
            if (inQuarantine && given > 0) {
                spent.put(r.host().id(), given);
            }
            allowance.took(r.host(), given);
        }
        Map<Long, List<ClaimedTask>> byHost = new HashMap<>();
        if (!ids.isEmpty()) {
            List<ClaimedTask> claimed = queries.assign(ids.toArray(Long[]::new), hosts.toArray(Long[]::new),
                    volunteers.toArray(Long[]::new), nets.toArray(String[]::new), quarantined.toArray(Boolean[]::new), now,
                    now.plus(settings.lease()));
            standing.spendQuota(spent, HostStanding.day(now));
            // never alone: a quarantined host's task, nor a new volunteer's on probation
            adaptive.acceptAlone(claimed, untrustedHosts);
            for (ClaimedTask t : withOffers(claimed, inputs)) {
                byHost.computeIfAbsent(t.hostId(), h -> new ArrayList<>()).add(t);
            }
            markRunning(byHost, now);
            limits.spend(allowance); // last: the rows it writes are locked until this commits
        }
        List<List<ClaimedTask>> answers = new ArrayList<>(requests.size());
        Set<Long> answered = new HashSet<>();
        for (ClaimRequest r : requests) {
            answers.add(answered.add(r.host().id()) ? byHost.getOrDefault(r.host().id(), List.of()) : List.of());
        }
        return answers;
    }

    /**
     * The tasks each quarantined host of the batch may still get today (read, and locked, only when the batch has
     * hosts known to be quarantined); hosts missing from the map have no quota.
     */
    private Map<Long, Integer> quotas(List<ClaimRequest> requests, Instant now) {
        Long[] suspects = requests.stream().filter(r -> r.host().quarantined()).map(r -> r.host().id()).distinct()
                .toArray(Long[]::new);
        return suspects.length == 0 ? Map.of() : standing.quotaLeft(suspects, HostStanding.day(now));
    }

    /**
     * The volunteer whose other hosts must not get a replica of the same work unit: the host's, when replicas go
     * to distinct volunteers; null for an anonymous host (a volunteer of its own) or when only hosts must differ.
     */
    private Long volunteer(AuthenticatedHost host) {
        return settings.distinct() == StarlingProperties.Distinct.VOLUNTEERS ? host.volunteerId() : null;
    }

    /** The blobs the candidates read, and which of them each host of the batch holds. */
    private record Inputs(Map<Long, List<String>> byWorkUnit, Map<Long, Set<String>> heldByHost) {
        boolean isEmpty() {
            return byWorkUnit.isEmpty();
        }

        boolean isLocal(DispatchQueries.Candidate c, long hostId) {
            List<String> blobs = byWorkUnit.get(c.workUnitId());
            return blobs != null && heldBy(hostId).containsAll(blobs);
        }

        Set<String> heldBy(long hostId) {
            return heldByHost.getOrDefault(hostId, Set.of());
        }
    }

    /**
     * Looks up the blobs of the candidates' work units and drops candidates that read a blob nobody can serve
     * right now (their producer is being re-run): they stay unsent for a later batch.
     */
    private Inputs inputs(List<DispatchQueries.Candidate> pool, Long[] hostIds) {
        Long[] reading = pool.stream().filter(DispatchQueries.Candidate::readsBlobs)
                .map(DispatchQueries.Candidate::workUnitId).toArray(Long[]::new);
        if (reading.length == 0) {
            return new Inputs(Map.of(), Map.of());
        }
        Map<Long, List<String>> blobs = queries.blobs(reading);
        if (blobs.isEmpty()) {
            return new Inputs(blobs, Map.of());
        }
        Set<String> all = new HashSet<>();
        blobs.values().forEach(all::addAll);
        Set<String> unavailable = tracker.unavailable(all);
        if (!unavailable.isEmpty()) {
            pool.removeIf(c -> blobs.getOrDefault(c.workUnitId(), List.of()).stream().anyMatch(unavailable::contains));
            signal.workCreated(tracker.recreate(unavailable).size());
        }
        return new Inputs(blobs, tracker.held(List.of(hostIds), all));
    }

    /** The claimed tasks, those that read blobs with where to fetch them. */
    private List<ClaimedTask> withOffers(List<ClaimedTask> claimed, Inputs inputs) {
        List<Tracker.Want> wants = claimed.stream().filter(t -> !t.blobs().isEmpty())
                .map(t -> new Tracker.Want(t.resultId(), t.hostId(), t.jobId(), t.blobs(), t.deadline(),
                        inputs.heldBy(t.hostId())))
                .toList();
        if (wants.isEmpty()) {
            return claimed;
        }
        Map<Long, List<Tracker.Offer>> offers = tracker.offer(wants);
        return claimed.stream().map(t -> t.blobs().isEmpty() ? t : t.withInputs(offers.get(t.resultId()))).toList();
    }

    private void markRunning(Map<Long, List<ClaimedTask>> byHost, Instant now) {
        List<Long> unseen = byHost.values().stream().flatMap(List::stream).map(ClaimedTask::jobId).distinct()
                .filter(j -> !runningJobs.contains(j)).toList();
        if (unseen.isEmpty()) {
            return;
        }
        List<Long> started = queries.markRunning(unseen, now);
        if (!started.isEmpty()) {
            AfterCommit.run(() -> log.info("Job(s) {} running: first tasks sent", started));
        }
        AfterCommit.run(() -> {
            if (runningJobs.size() > 10_000) {
                runningJobs.clear();
            }
            runningJobs.addAll(unseen);
        });
    }

    /** A heartbeat's outcome: new leases, and the tasks the host should abandon. */
    record Beat(Map<Long, Instant> leases, List<Long> abandon) {}

    /**
     * @param suspended the tasks of {@code progress} that the worker holds paused
     * @param parked the tasks of {@code progress} that a stopping worker keeps to resume at its next start: held
     *     for it until their deadlines, at most {@code max-park} (when that is 0, leased like the others)
     */
    Beat heartbeat(AuthenticatedHost host, Map<Long, Double> progress, Set<Long> suspended, Set<Long> parked) {
        if (progress.isEmpty()) {
            return new Beat(Map.of(), List.of());
        }
        return tx.execute(status -> {
            Long[] ids = progress.keySet().toArray(Long[]::new);
            Double[] fractions = progress.values().toArray(Double[]::new);
            Boolean[] paused = progress.keySet().stream().map(suspended::contains).toArray(Boolean[]::new);
            Instant now = clock.instant();
            long leasedUntil = now.plus(settings.lease()).toEpochMilli();
            long parkedUntil = Math.max(leasedUntil, now.plus(settings.maxPark()).toEpochMilli());
            Set<Long> parking = parkable(host, parked, ids, now.plus(settings.lease()));
            Long[] until = progress.keySet().stream().map(id -> parking.contains(id) ? parkedUntil : leasedUntil)
                    .toArray(Long[]::new);
            Map<Long, Instant> leases = queries.heartbeat(host.id(), ids, fractions, paused, until);
            List<Long> lost = new ArrayList<>(progress.keySet());
            lost.removeAll(leases.keySet());
            lost.removeAll(queries.stillUseful(host.id(), lost));
            return new Beat(leases, lost);
        });
    }

    /**
     * Of the tasks the host asks to park, those it may: at most {@code starling.trust.max-parked} parked at once,
     * counting those it parked before (lowest ids first); the others are leased like any task.
     */
    private Set<Long> parkable(AuthenticatedHost host, Set<Long> parked, Long[] beating, Instant leasedUntil) {
        if (parked.isEmpty()) {
            return parked;
        }
        int room = Math.max(0, maxParked - queries.parked(host.id(), leasedUntil, beating));
        if (parked.size() <= room) {
            return parked;
        }
        Set<Long> allowed = new HashSet<>(parked.stream().sorted().limit(room).toList());
        AfterCommit.run(() -> log.info("Host {} asked to park {} task(s): {} parked, the others leased (at most {} "
                + "parked, starling.trust.max-parked)", host.id(), parked.size(), allowed.size(), maxParked));
        return allowed;
    }

    @Override
    public void start() {
        claims.start();
    }

    @Override
    public void stop() {
        claims.stop();
    }

    @Override
    public boolean isRunning() {
        return claims.isRunning();
    }

    @Override
    public int getPhase() {
        return claims.getPhase();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
