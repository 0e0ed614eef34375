package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.metrics.DomainMeters;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.support.Batcher;
import dev.starling.coordinator.support.Text;
import dev.starling.coordinator.support.Transactions;
import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitState;
import dev.starling.sdk.ContentAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * Takes a batch of reported results in one transaction: stores each (guarded by the state it expects,
 * so a repeated report changes nothing), then evaluates each touched work unit under its lock.
 */
@Service
public class ReportService implements SmartLifecycle {
    private static final Set<ReplicaState> ALREADY_REPORTED = EnumSet.of(ReplicaState.REPORTED, ReplicaState.VALID,
            ReplicaState.INVALID, ReplicaState.INCONCLUSIVE, ReplicaState.ERROR);
    /** the longest error message stored for a malformed result (it quotes what the worker sent) */
    private static final int MAX_PROBLEM = 2_000;

    private final ValidationQueries queries;
    private final Tracker tracker;
    private final WorkUnitEvaluator evaluator;
    private final Transactions transactions;
    private final Clock clock;
    private final int maxOutputBytes;
    private final DomainMeters meters;
    private final AppCatalog apps;
    /** ReportResults calls that arrive together are stored and judged together */
    private final Batcher<HostReports, List<Ack>> batches;

    ReportService(ValidationQueries queries, Tracker tracker, WorkUnitEvaluator evaluator, Transactions transactions,
            Clock clock, DomainMeters meters, AppCatalog apps, StarlingProperties properties) {
        this.apps = apps;
        this.meters = meters;
        this.queries = queries;
        this.tracker = tracker;
        this.evaluator = evaluator;
        this.transactions = transactions;
        this.clock = clock;
        this.maxOutputBytes = properties.limits().maxInlineOutputBytes();
        this.batches = new Batcher<>("reports", 256, properties.admission().batchQueue(),
                properties.admission().retryAfter(), this::storeBatch);
        meters.batchQueue("reports", batches);
    }

    /** Acks in the order of {@code reports}. */
    public List<Ack> report(long hostId, List<Report> reports) {
        Map<Long, Ack> acks = new LinkedHashMap<>();
        List<Report> checked = new ArrayList<>();
        for (Report r : reports) {
            // the problem may quote the worker's text: cleaned for the database and the people who read it
            String problem = Text.clean(problem(r), MAX_PROBLEM);
            if (problem == null) {
                checked.add(r);
            } else {
                // a malformed output is this replica's error: record it so the work unit gets a replacement
                checked.add(error(r, problem));
                acks.put(r.resultId(), new Ack(r.resultId(), Ack.Status.REJECTED, problem));
            }
        }
        List<Ack> stored;
        long start = System.nanoTime();
        try {
            stored = batches.run(new HostReports(hostId, checked));
            meters.reportLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the report was being stored", e);
        }
        List<Ack> result = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            Ack malformed = acks.get(reports.get(i).resultId());
            result.add(malformed != null ? malformed : stored.get(i));
        }
        return result;
    }

    /** The report as an error of its replica, saying what was wrong with it. */
    private static Report error(Report r, String problem) {
        return new Report(r.resultId(), Report.Kind.ERROR, null, null, 0, problem, r.cpuMillis(), Map.of(), List.of(),
                Math.max(0, r.bytesFromPeers()));
    }

    /** One ReportResults call's reports. */
    private record HostReports(long hostId, List<Report> reports) {}

    /** One report of a batch, with the host that sent it. */
    record Entry(long hostId, Report report) {}

    private List<List<Ack>> storeBatch(List<HostReports> calls) {
        List<Entry> entries = new ArrayList<>();
        for (HostReports call : calls) {
            call.reports().forEach(r -> entries.add(new Entry(call.hostId(), r)));
        }
        List<Ack> acks = transactions.retrying(() -> store(entries));
        List<List<Ack>> answers = new ArrayList<>(calls.size());
        int next = 0;
        for (HostReports call : calls) {
            answers.add(acks.subList(next, next + call.reports().size()));
            next += call.reports().size();
        }
        return answers;
    }

    /**
     * Stores the reports of a batch of calls in one transaction: locks their work units (ascending ids) as it
     * reads who owns each replica, stores successes in one statement, then evaluates every touched open work
     * unit from its replicas read in one statement, and writes what was decided with one statement per kind
     * of change. Acks in the order of {@code entries}.
     */
    private List<Ack> store(List<Entry> batch) {
        List<Entry> entries = new ArrayList<>(batch); // malformed outputs become errors here, afresh in a retry
        Map<Long, ValidationQueries.Owner> owners = new HashMap<>();
        queries.lockOwners(entries.stream().map(e -> e.report().resultId()).distinct().toList())
                .forEach(o -> owners.put(o.resultId(), o));
        Ack[] acks = new Ack[entries.size()];
        List<Integer> mine = new ArrayList<>();
        Set<Long> purged = queries.purged(entries.stream().map(e -> e.report().resultId())
                .filter(id -> !owners.containsKey(id)).distinct().toList());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            ValidationQueries.Owner o = owners.get(e.report().resultId());
            if (o == null && purged.contains(e.report().resultId())) {
                acks[i] = new Ack(e.report().resultId(), Ack.Status.NOT_NEEDED, "result " + e.report().resultId()
                        + " is no longer needed: its job has finished and its work units were archived");
            } else if (o == null || o.hostId() == null || o.hostId() != e.hostId()) {
                acks[i] = new Ack(e.report().resultId(), Ack.Status.REJECTED,
                        "result " + e.report().resultId() + " is not a task of this host");
            } else {
                mine.add(i);
            }
        }
        // a deployed app's output must be an envelope within its limits; if not, it is this replica's error
        Map<Integer, String> malformed = new HashMap<>();
        for (int i : mine) {
            Entry e = entries.get(i);
            // it may quote the output: cleaned as above
            String problem = e.report().kind() != Report.Kind.SUCCESS ? null : Text.clean(
                    apps.outputProblem(owners.get(e.report().resultId()).workUnit().app(), e.report().output()),
                    MAX_PROBLEM);
            if (problem != null) {
                malformed.put(i, problem);
                entries.set(i, new Entry(e.hostId(), error(e.report(), problem)));
            }
        }
        Instant now = clock.instant();
        Set<Long> stored = queries.storeSuccesses(mine.stream().map(entries::get)
                .filter(e -> e.report().kind() == Report.Kind.SUCCESS
                        && takesOutputs(owners.get(e.report().resultId()).workUnit()))
                .toList(), now);
        Decisions decisions = new Decisions();
        Map<Long, WorkUnitRow> changed = new TreeMap<>();
        for (int i : mine) {
            Entry e = entries.get(i);
            WorkUnitRow wu = owners.get(e.report().resultId()).workUnit();
            Ack ack = apply(e.hostId(), wu, e.report(), stored.remove(e.report().resultId()), decisions, now);
            acks[i] = malformed.containsKey(i) ? new Ack(ack.resultId(), Ack.Status.REJECTED, malformed.get(i)) : ack;
            // stored: accepted anew, or rejected after all but recorded as the replica's error
            boolean recorded = ack.status() == Ack.Status.ACCEPTED ? ack.message().isEmpty()
                    : ack.status() == Ack.Status.REJECTED;
            if (recorded && wu.isOpen()) {
                changed.put(wu.id(), wu);
            }
        }
        evaluator.settle(changed.values(), decisions, now);
        return List.of(acks);
    }

    /** A success is stored while its work unit is open, and judged late once it is validated. */
    private static boolean takesOutputs(WorkUnitRow wu) {
        return wu.isOpen() || wu.state() == WorkUnitState.VALIDATED;
    }

    private Ack apply(long hostId, WorkUnitRow wu, Report r, boolean storedSuccess, Decisions decisions, Instant now) {
        long id = r.resultId();
        if (r.kind() == Report.Kind.INPUT_UNAVAILABLE) {
            String foreign = notAnInput(wu, r);
            if (foreign != null) {
                // a lie about another blob would make the tracker forget its holders: this replica's error instead
                Ack stored = apply(hostId, wu, new Report(id, Report.Kind.ERROR, null, null, 0, foreign, r.cpuMillis(),
                        Map.of(), List.of(), r.bytesFromPeers()), false, decisions, now);
                return stored.status() == Ack.Status.ACCEPTED && stored.message().isEmpty()
                        ? new Ack(id, Ack.Status.REJECTED, foreign) : stored;
            }
        }
        boolean stored = switch (r.kind()) {
            case SUCCESS -> storedSuccess;
            case ERROR -> wu.isOpen() && queries.storeError(id, hostId, r.message(), r.cpuMillis(), now);
            // a validated work unit runs again when a blob it produced was lost (lineage): it may be given back too
            case GIVEN_BACK -> takesOutputs(wu) && queries.giveBack(id, hostId) != null;
            case INPUT_UNAVAILABLE -> takesOutputs(wu) && inputUnavailable(id, hostId, r.missing(), decisions);
        };
        if (stored) {
            switch (r.kind()) {
                case ERROR -> decisions.host(wu, hostId, Outcome.ERROR, 0);
                case GIVEN_BACK -> {
                    decisions.givenBack();
                    decisions.gaveBack(hostId);
                }
                case INPUT_UNAVAILABLE -> {
                    decisions.givenBack();
                    decisions.gaveBack(hostId);
                    decisions.charge(hostId, Outcome.ERROR); // crying wolf costs the reporter its standing
                }
                case SUCCESS -> {
                    if (!r.produced().isEmpty()) {
                        decisions.produced(id, wu.id(), r.produced());
                    }
                    if (wu.state() == WorkUnitState.VALIDATED) {
                        evaluator.judgeLate(wu, id, r.output(), r.outputHash(), hostId, decisions);
                    }
                }
            }
            decisions.transfer(wu.jobId(), r.bytesFromPeers());
            return Ack.accepted(id);
        }
        ReplicaState state = queries.state(id);
        if (ALREADY_REPORTED.contains(state) && r.kind() != Report.Kind.GIVEN_BACK) {
            return new Ack(id, Ack.Status.ACCEPTED, "already reported");
        }
        return new Ack(id, Ack.Status.NOT_NEEDED, "result " + id + " is no longer needed ("
                + state.name().toLowerCase() + ", work unit " + wu.state().name().toLowerCase() + ")");
    }

    /** Why an INPUT_UNAVAILABLE report names a blob its task does not read; null when it names only inputs. */
    private String notAnInput(WorkUnitRow wu, Report r) {
        if (r.missing().isEmpty()) {
            return null;
        }
        List<String> inputs = queries.inputs(wu.id());
        return r.missing().stream().filter(b -> !inputs.contains(b)).findFirst()
                .map(b -> "missing_blob_ids: " + b + " is not an input of task " + r.resultId()
                        + " (INPUT_UNAVAILABLE names only blobs of the task's inputs)")
                .orElse(null);
    }

    /**
     * Gives back a task whose inputs could not be fetched, and has the tracker forget the holders this host was
     * offered for them and re-create blobs that nobody holds any more.
     */
    private boolean inputUnavailable(long resultId, long hostId, List<String> missing, Decisions decisions) {
        Instant sentAt = queries.giveBack(resultId, hostId);
        if (sentAt == null) {
            return false;
        }
        for (int i = tracker.unreachable(hostId, missing, sentAt).size(); i > 0; i--) {
            decisions.givenBack(); // a re-run replica is new work, like a given-back one
        }
        return true;
    }

    /**
     * Why a reported result cannot be taken, or null. The sizes of its fields and the ranges of its counters were
     * checked at the edge (WireLimits); this judges what it says.
     */
    private String problem(Report r) {
        for (String id : r.missing()) {
            if (!ContentAddress.isValid(id)) {
                return "missing_blob_ids: '" + id + "' is not a blob id";
            }
        }
        if (r.kind() != Report.Kind.SUCCESS) {
            return null;
        }
        for (Map.Entry<String, Long> b : r.produced().entrySet()) {
            if (!ContentAddress.isValid(b.getKey()) || b.getValue() < 0) {
                return "produced: '" + b.getKey() + "' (" + b.getValue() + " bytes) is not a blob id and size";
            }
        }
        if (r.output().length > maxOutputBytes) {
            return "output of " + r.output().length + " bytes exceeds the inline limit of " + maxOutputBytes;
        }
        if (r.outputSize() != r.output().length) {
            return "output_size " + r.outputSize() + " does not match the " + r.output().length + " bytes sent";
        }
        String actual = ContentAddress.of(r.output());
        if (!actual.equals(r.outputHash())) {
            return "output_hash " + r.outputHash() + " does not match the output (" + actual + ")";
        }
        return null;
    }

    @Override
    public void start() {
        batches.start();
    }

    @Override
    public void stop() {
        batches.stop();
    }

    @Override
    public boolean isRunning() {
        return batches.isRunning();
    }

    @Override
    public int getPhase() {
        return batches.getPhase();
    }
}
