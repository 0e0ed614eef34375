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
import java.util.stream.Collectors;
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
    private final FairShare fairShare;
    private final DailyLimits limits;
    private final DomainMeters meters;
    private final Clock clock;
    private final StarlingProperties.Dispatch settings;
    private final int maxParked;
    /** the most a browser tab may download for one task: its module and input files together */
    private final long browserMaxInput;
    /** jobs known to be past QUEUED (a cache: forgetting one costs one statement) */
    private final Set<Long> runningJobs = ConcurrentHashMap.newKeySet();

    Dispatcher(DispatchQueries queries, TransactionTemplate tx, Transactions transactions, WorkSignal signal,
            RunnableApps runnable, Tracker tracker, HostStanding standing, Probation probation, ControlSignal controls,
            AdaptiveReplication adaptive, FairShare fairShare, DailyLimits limits, DomainMeters meters, Clock clock,
            StarlingProperties properties) {
        this.limits = limits;
        this.probation = probation;
        this.fairShare = fairShare;
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
        this.browserMaxInput = properties.browser().maxInputBytes().toBytes();
        this.claims = new Batcher<>("claims", 256, properties.admission().batchQueue(),
                properties.admission().retryAfter(), this::claimBatch);
        meters.batchQueue("claims", claims);
    }

    /**
     * Claims up to {@code maxTasks} tasks for the host; when there are none, waits up to {@code wait}
     * for work to appear, or until its volunteer changes its controls on this coordinator (seen at the next look for
     * work, within the recheck interval: the answer carries them). An empty answer is normal.
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
        long controlsSeen = controls.generation();
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
            if (controls.changedSince(host.id(), controlsSeen)) {
                return tasks; // its volunteer changed its controls here: the answer carries them now, not at max-wait
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
     * them from the queue of the researcher least served for their share ({@link FairShare}; the next one's when
     * too few fit), skipping work units that any host of the batch or any of their volunteers has a replica of; they
     * are shared out here (one replica of a work unit per batch, so never two to one host or one volunteer), and one
     * statement assigns them; then adaptive replication lets
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

    /**
     * A request of a claim batch being served: what it may get, and what it got so far. Each task given is taken from
     * its host's and its volunteer's daily remainder at once, so that the hosts of one volunteer in one batch share
     * that remainder instead of each being offered all of it.
     */
    private static final class Wanting {
        final ClaimRequest request;
        /** the most it may get: what it asked, within its quarantine quota and its daily limits as the batch began */
        final int most;
        final boolean inQuarantine;
        /** a quarantined host's replicas, and a new volunteer's, count toward a quorum only with a trusted partner */
        final boolean untrusted;
        private final DailyLimits.Allowance allowance;
        int given;

        Wanting(ClaimRequest request, DailyLimits.Allowance allowance, int most, boolean inQuarantine,
                boolean untrusted) {
            this.request = request;
            this.allowance = allowance;
            this.most = most;
            this.inQuarantine = inQuarantine;
            this.untrusted = untrusted;
        }

        long hostId() {
            return request.host().id();
        }

        /** How many more it may get now: what the batch already gave its volunteer's other hosts counts. */
        int wants() {
            return Math.min(most - given, allowance.left(request.host()));
        }

        void gave() {
            given++;
            allowance.took(request.host(), 1);
        }
    }

    /** What a claim batch gives, in the arrays {@link DispatchQueries#assign} takes. */
    private record Assignments(List<Long> ids, List<Long> hosts, List<Long> volunteers, List<String> networks,
            List<Boolean> quarantined) {
        Assignments() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private List<List<ClaimedTask>> claimOnce(List<ClaimRequest> requests) {
        Instant now = clock.instant();
        // a quarantined host gets what is left of its daily quota (its row stays locked until this commits)
        Map<Long, Integer> quota = quotas(requests, now);
        // daily limits: what each host (and its volunteer's hosts together) may still take today, taken from as the
        // batch gives tasks (Wanting.gave), so one volunteer's hosts of the batch share its remainder exactly
        DailyLimits.Allowance allowance = limits.allowance(requests.stream().map(ClaimRequest::host).toList(), now);
        List<Wanting> wanting = new ArrayList<>();
        Set<Long> hostsServed = new HashSet<>();
        for (ClaimRequest r : requests) {
            if (hostsServed.add(r.host().id())) { // two calls of one host in one batch: the second waits for the next
                boolean inQuarantine = quota.containsKey(r.host().id());
                wanting.add(new Wanting(r, allowance, allowance.most(r.host(),
                                Math.min(r.limit(), quota.getOrDefault(r.host().id(), r.limit()))),
                        inQuarantine, inQuarantine || probation.onProbation(r.host())));
            }
        }
        Long[] hostIds = requests.stream().map(r -> r.host().id()).distinct().toArray(Long[]::new);
        Long[] volunteerIds = requests.stream().map(r -> volunteer(r.host())).filter(Objects::nonNull).distinct()
                .toArray(Long[]::new);
        String[] networks = requests.stream().map(r -> r.host().network()).filter(Objects::nonNull).distinct()
                .toArray(String[]::new);
        Assignments given = new Assignments();
        Inputs inputs = new Inputs(new HashMap<>(), new HashMap<>(), new HashMap<>());
        boolean browsers = requests.stream().anyMatch(r -> r.host().browser());
        // the researchers least served for their share first (FairShare), each through its own part of the queue's
        // index, until every request has its tasks or fair-share-tries researchers were asked; a claim that found
        // nothing among the researchers it knew reads them again, and asks those it had not, and those it had for the
        // apps their stale entries did not name (their jobs changed since), never twice for one app
        Map<Long, Set<String>> tried = new HashMap<>();
        for (boolean reread : new boolean[] {false, true}) {
            for (DispatchQueries.Waiting w : fairShare.order(appsWanted(wanting), reread)) {
                Set<String> apps = w.mayBeOf(appsWanted(wanting));
                Set<String> asked = tried.get(w.researcherId());
                if (asked != null) {
                    apps.removeAll(asked);
                } else if (tried.size() == settings.fairShareTries()) {
                    continue;
                }
                if (apps.isEmpty()) {
                    continue;
                }
                tried.computeIfAbsent(w.researcherId(), r -> new HashSet<>()).addAll(apps);
                int wanted = wanting.stream().mapToInt(Wanting::wants).sum();
                List<DispatchQueries.Candidate> candidates = queries.candidates(w.researcherId(), hostIds,
                        volunteerIds, networks, apps.toArray(String[]::new), now.minus(settings.replicaGap()),
                        wanted * 4);
                // one replica per work unit in a batch, best first (the candidates' order)
                Set<Long> seen = new HashSet<>();
                List<DispatchQueries.Candidate> pool = new ArrayList<>();
                for (DispatchQueries.Candidate c : candidates) {
                    if (seen.add(c.workUnitId())) {
                        pool.add(c.withBlobs(runnable.blobsOf(c.app(), c.blobs())));
                    }
                }
                inputs.add(inputs(pool, hostIds, browsers));
                fairShare.served(w.researcherId(), shareOut(pool, wanting, inputs, given));
            }
            if (!given.ids().isEmpty() || tried.size() == settings.fairShareTries()) {
                break;
            }
        }
        wanting.stream().filter(x -> x.given == 0 && x.most > 0)
                .forEach(x -> allowance.refuseIfSpent(x.request.host()));
        Map<Long, List<ClaimedTask>> byHost = new HashMap<>();
        if (!given.ids().isEmpty()) {
            List<ClaimedTask> claimed = queries.assign(given.ids().toArray(Long[]::new),
                    given.hosts().toArray(Long[]::new), given.volunteers().toArray(Long[]::new),
                    given.networks().toArray(String[]::new), given.quarantined().toArray(Boolean[]::new), now,
                    now.plus(settings.lease())).stream().map(t -> t.withBlobs(runnable.blobsOf(t.app(), t.blobs())))
                    .toList();
            Map<Long, Integer> spent = new HashMap<>();
            wanting.stream().filter(x -> x.inQuarantine && x.given > 0).forEach(x -> spent.put(x.hostId(), x.given));
            standing.spendQuota(spent, HostStanding.day(now));
            // never alone: a quarantined host's task, nor a new volunteer's on probation
            adaptive.acceptAlone(claimed, wanting.stream().filter(x -> x.untrusted).map(Wanting::hostId)
                    .collect(Collectors.toSet()));
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

    /** The apps of the requests that want more tasks. */
    private static Set<String> appsWanted(List<Wanting> wanting) {
        return wanting.stream().filter(x -> x.wants() > 0).flatMap(x -> x.request.apps().stream())
                .collect(Collectors.toSet());
    }

    /**
     * Shares a pool of candidates out among the requests, in order: to each, locality first (work units whose blobs
     * its host holds already), then the rest in the pool's order; never to a browser tab one whose blobs it could not
     * download ({@link Inputs#fitsBrowser}): those stay in the pool for the batch's workers, or unsent for a later one.
     * Returns how many were given.
     */
    private int shareOut(List<DispatchQueries.Candidate> pool, List<Wanting> wanting, Inputs inputs,
            Assignments given) {
        int total = 0;
        for (Wanting x : wanting) {
            AuthenticatedHost host = x.request.host();
            for (boolean local : inputs.isEmpty() ? new boolean[] {false} : new boolean[] {true, false}) {
                int room = x.wants(); // only x takes from its remainders in this loop
                for (var it = pool.iterator(); it.hasNext() && room > 0; ) {
                    DispatchQueries.Candidate c = it.next();
                    if (x.request.apps().contains(c.app()) && (!local || inputs.isLocal(c, host.id()))
                            && (!host.browser() || inputs.fitsBrowser(c, browserMaxInput))) {
                        given.ids().add(c.resultId());
                        given.hosts().add(host.id());
                        given.volunteers().add(volunteer(host));
                        given.networks().add(host.network());
                        given.quarantined().add(x.untrusted);
                        it.remove();
                        x.gave();
                        room--;
                        total++;
                    }
                }
            }
        }
        return total;
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

    /**
     * The blobs the candidates read, which of them each host of the batch holds, and (when the batch has a browser
     * tab) the sizes of those the coordinator stores.
     */
    private record Inputs(Map<Long, List<String>> byWorkUnit, Map<Long, Set<String>> heldByHost,
            Map<String, Long> storedSizes) {
        boolean isEmpty() {
            return byWorkUnit.isEmpty();
        }

        boolean isLocal(DispatchQueries.Candidate c, long hostId) {
            List<String> blobs = byWorkUnit.get(c.workUnitId());
            return blobs != null && heldBy(hostId).containsAll(blobs);
        }

        /**
         * Whether a browser tab may be given the candidate: it downloads every blob the work unit reads (its module and
         * input files) from the coordinator, so each must be stored there and together be at most {@code max} bytes.
         */
        boolean fitsBrowser(DispatchQueries.Candidate c, long max) {
            long total = 0;
            for (String blob : c.blobs()) {
                Long size = storedSizes.get(blob);
                if (size == null) {
                    return false; // kept on workers only (a previous stage's output): a tab cannot reach it
                }
                total += size;
            }
            return total <= max;
        }

        Set<String> heldBy(long hostId) {
            return heldByHost.getOrDefault(hostId, Set.of());
        }

        /** Adds what another pool's candidates read and their holders (into mutable maps). */
        void add(Inputs other) {
            byWorkUnit.putAll(other.byWorkUnit);
            other.heldByHost.forEach((h, blobs) -> heldByHost.computeIfAbsent(h, x -> new HashSet<>()).addAll(blobs));
            storedSizes.putAll(other.storedSizes);
        }
    }

    /**
     * Looks up the blobs of the candidates' work units and drops candidates that read a blob nobody can serve
     * right now (their producer is being re-run): they stay unsent for a later batch. For a batch with a browser tab,
     * also the sizes of those the coordinator stores (the tracker's cache: a version's module and a job's shared
     * inputs are read once a minute; a work unit's own files once, and then again from the cache for the offers).
     */
    private Inputs inputs(List<DispatchQueries.Candidate> pool, Long[] hostIds, boolean browsers) {
        Map<Long, List<String>> blobs = new HashMap<>();
        for (DispatchQueries.Candidate c : pool) {
            if (!c.blobs().isEmpty()) {
                blobs.put(c.workUnitId(), c.blobs());
            }
        }
        if (blobs.isEmpty()) {
            return new Inputs(Map.of(), Map.of(), Map.of());
        }
        Set<String> all = new HashSet<>();
        blobs.values().forEach(all::addAll);
        Map<String, Long> sizes = browsers ? tracker.stored(all) : Map.of(); // first: unavailable() uses the cache
        Set<String> unavailable = tracker.unavailable(all);
        if (!unavailable.isEmpty()) {
            pool.removeIf(c -> c.blobs().stream().anyMatch(unavailable::contains));
            signal.workCreated(tracker.recreate(unavailable).size());
        }
        return new Inputs(blobs, tracker.held(List.of(hostIds), all), sizes);
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
