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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    private Map<Long, Ack> store(long hostId, List<Report> reports) {
        Map<Long, Ack> acks = new HashMap<>();
        Map<Long, ValidationQueries.Owner> owners = new HashMap<>();
        if (!reports.isEmpty()) {
            queries.owners(reports.stream().map(Report::resultId).toList()).forEach(o -> owners.put(o.resultId(), o));
        }
        List<Report> mine = new ArrayList<>();
        for (Report r : reports) {
            ValidationQueries.Owner o = owners.get(r.resultId());
            if (o == null || o.hostId() == null || o.hostId() != hostId) {
                acks.put(r.resultId(), new Ack(r.resultId(), Ack.Status.REJECTED,
                        "result " + r.resultId() + " is not a task of this host"));
            } else {
                mine.add(r);
            }
        }
        // lock order: work units by ascending id
        mine.sort(Comparator.comparingLong((Report r) -> owners.get(r.resultId()).workUnitId())
                .thenComparingLong(Report::resultId));
        Instant now = clock.instant();
        boolean moreWork = false;
        boolean decided = false;
        int i = 0;
        while (i < mine.size()) {
            long wuId = owners.get(mine.get(i).resultId()).workUnitId();
            Optional<WorkUnitRow> wu = queries.lockWorkUnit(wuId);
            boolean changed = false;
            for (; i < mine.size() && owners.get(mine.get(i).resultId()).workUnitId() == wuId; i++) {
                Report r = mine.get(i);
                Ack ack = apply(hostId, wu.orElseThrow(), r, now);
                acks.put(r.resultId(), ack);
                changed |= ack.status() == Ack.Status.ACCEPTED && ack.message().isEmpty();
                moreWork |= r.kind() == Report.Kind.GIVEN_BACK && ack.status() == Ack.Status.ACCEPTED;
            }
            if (changed && wu.get().isOpen()) {
                WorkUnitEvaluator.Verdict v = evaluator.evaluate(wu.get());
                moreWork |= v == WorkUnitEvaluator.Verdict.MORE_REPLICAS;
                decided |= v == WorkUnitEvaluator.Verdict.DECIDED;
            }
        }
        if (moreWork) {
            AfterCommit.run(workSignal::signal);
        }
        if (decided) {
            AfterCommit.run(completer::nudge);
        }
        return acks;
    }

    private Ack apply(long hostId, WorkUnitRow wu, Report r, Instant now) {
        long id = r.resultId();
        boolean stored = switch (r.kind()) {
            case SUCCESS -> wu.isOpen() || wu.state().equals("VALIDATED")
                    ? queries.storeSuccess(id, hostId, r.output(), r.outputHash(), r.cpuMillis(), now)
                    : false;
            case ERROR -> wu.isOpen() && queries.storeError(id, hostId, r.message(), r.cpuMillis(), now);
            case GIVEN_BACK -> wu.isOpen() && queries.giveBack(id, hostId);
        };
        if (stored) {
            if (r.kind() == Report.Kind.ERROR) {
                hosts.record(hostId, Outcome.ERROR, 0);
            } else if (r.kind() == Report.Kind.SUCCESS && wu.state().equals("VALIDATED")) {
                evaluator.judgeLate(wu, id, r.output(), r.outputHash(), hostId);
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
