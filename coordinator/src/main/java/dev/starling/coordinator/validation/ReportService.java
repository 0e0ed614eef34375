package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.dispatch.WorkSignal;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.job.JobCompleter;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Transactions;
import dev.starling.sdk.ContentAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.springframework.stereotype.Service;

/**
 * Takes a batch of reported results in one transaction: stores each (guarded by the state it expects,
 * so a repeated report changes nothing), then evaluates each touched work unit under its lock.
 */
@Service
public class ReportService {
    private static final Set<String> ALREADY_REPORTED = Set.of("REPORTED", "VALID", "INVALID", "INCONCLUSIVE", "ERROR");

    private final ValidationQueries queries;
    private final WorkUnitEvaluator evaluator;
    private final HostTable hosts;
    private final Transactions transactions;
    private final WorkSignal workSignal;
    private final JobCompleter completer;
    private final Clock clock;
    private final int maxOutputBytes;

    ReportService(ValidationQueries queries, WorkUnitEvaluator evaluator, HostTable hosts, Transactions transactions,
            WorkSignal workSignal, JobCompleter completer, Clock clock, StarlingProperties properties) {
        this.queries = queries;
        this.evaluator = evaluator;
        this.hosts = hosts;
        this.transactions = transactions;
        this.workSignal = workSignal;
        this.completer = completer;
        this.clock = clock;
        this.maxOutputBytes = properties.limits().maxInlineOutputBytes();
    }

    /** Acks in the order of {@code reports}. */
    public List<Ack> report(long hostId, List<Report> reports) {
        Map<Long, Ack> acks = new LinkedHashMap<>();
        List<Report> checked = new ArrayList<>();
        for (Report r : reports) {
            String problem = problem(r);
            if (problem == null) {
                checked.add(r);
            } else {
                // a malformed output is this replica's error: record it so the work unit gets a replacement
                checked.add(new Report(r.resultId(), Report.Kind.ERROR, null, null, 0, problem, r.cpuMillis()));
                acks.put(r.resultId(), new Ack(r.resultId(), Ack.Status.REJECTED, problem));
            }
        }
        Map<Long, Ack> stored = transactions.retrying(() -> store(hostId, checked));
        List<Ack> result = new ArrayList<>(reports.size());
        for (Report r : reports) {
            result.add(acks.getOrDefault(r.resultId(), stored.get(r.resultId())));
        }
        return result;
    }

    /**
     * Locks the reports' work units (ascending ids) as it reads who owns each replica, stores the reports
     * (successes in one statement), then
     * evaluates every touched open work unit from its replicas read in one statement, and writes what was
     * decided with one statement per kind of change.
     */
    private Map<Long, Ack> store(long hostId, List<Report> reports) {
        Map<Long, Ack> acks = new HashMap<>();
        if (reports.isEmpty()) {
            return acks;
        }
        Map<Long, Long> workUnitOf = new HashMap<>();
        Map<Long, WorkUnitRow> workUnits = new HashMap<>();
        Map<Long, ValidationQueries.Owner> owners = new HashMap<>();
        queries.lockOwners(reports.stream().map(Report::resultId).toList()).forEach(o -> owners.put(o.resultId(), o));
        List<Report> mine = new ArrayList<>();
        for (Report r : reports) {
            ValidationQueries.Owner o = owners.get(r.resultId());
            if (o == null || o.hostId() == null || o.hostId() != hostId) {
                acks.put(r.resultId(), new Ack(r.resultId(), Ack.Status.REJECTED,
                        "result " + r.resultId() + " is not a task of this host"));
            } else {
                mine.add(r);
                workUnitOf.put(r.resultId(), o.workUnit().id());
                workUnits.put(o.workUnit().id(), o.workUnit());
            }
        }
        Instant now = clock.instant();
        Set<Long> stored = queries.storeSuccesses(hostId, mine.stream()
                .filter(r -> r.kind() == Report.Kind.SUCCESS && takesOutputs(workUnits.get(workUnitOf.get(r.resultId()))))
                .toList(), now);
        Decisions decisions = new Decisions();
        SortedSet<Long> changed = new TreeSet<>();
        for (Report r : mine) {
            WorkUnitRow wu = workUnits.get(workUnitOf.get(r.resultId()));
            Ack ack = apply(hostId, wu, r, stored.contains(r.resultId()), decisions, now);
            acks.put(r.resultId(), ack);
            if (ack.status() == Ack.Status.ACCEPTED && ack.message().isEmpty() && wu.isOpen()) {
                changed.add(wu.id());
            }
        }
        Map<Long, List<ReplicaRow>> replicas = queries.replicas(changed);
        for (long id : changed) {
            evaluator.evaluate(workUnits.get(id), replicas.get(id), decisions);
        }
        decisions.apply(queries, hosts, workSignal, now);
        if (decisions.decidedAny()) {
            AfterCommit.run(completer::nudge);
        }
        return acks;
    }

    /** A success is stored while its work unit is open, and judged late once it is validated. */
    private static boolean takesOutputs(WorkUnitRow wu) {
        return wu.isOpen() || wu.state().equals("VALIDATED");
    }

    private Ack apply(long hostId, WorkUnitRow wu, Report r, boolean storedSuccess, Decisions decisions, Instant now) {
        long id = r.resultId();
        boolean stored = switch (r.kind()) {
            case SUCCESS -> storedSuccess;
            case ERROR -> wu.isOpen() && queries.storeError(id, hostId, r.message(), r.cpuMillis(), now);
            case GIVEN_BACK -> wu.isOpen() && queries.giveBack(id, hostId);
        };
        if (stored) {
            switch (r.kind()) {
                case ERROR -> decisions.host(hostId, Outcome.ERROR, 0);
                case GIVEN_BACK -> decisions.givenBack();
                case SUCCESS -> {
                    if (wu.state().equals("VALIDATED")) {
                        evaluator.judgeLate(wu, id, r.output(), r.outputHash(), hostId, decisions);
                    }
                }
            }
            return Ack.accepted(id);
        }
        String state = queries.state(id);
        if (ALREADY_REPORTED.contains(state) && r.kind() != Report.Kind.GIVEN_BACK) {
            return new Ack(id, Ack.Status.ACCEPTED, "already reported");
        }
        return new Ack(id, Ack.Status.NOT_NEEDED, "result " + id + " is no longer needed (" + state.toLowerCase()
                + ", work unit " + wu.state().toLowerCase() + ")");
    }

    /** Why a reported output cannot be taken, or null. */
    private String problem(Report r) {
        if (r.kind() != Report.Kind.SUCCESS) {
            return null;
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
}
