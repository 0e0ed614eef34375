package dev.starling.coordinator.validation;

import dev.starling.coordinator.activity.ActivityTable;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.dispatch.WorkSignal;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.job.JobCompleter;
import dev.starling.coordinator.job.JobState;
import dev.starling.coordinator.job.JobTable;
import dev.starling.coordinator.metrics.DomainMeters;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.App;
import dev.starling.sdk.WorkUnit;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Decides what an open work unit needs after one of its replicas changed, with the work unit row locked
 * by the caller's transaction (so two reports of one work unit are never judged at the same time):
 * validate when a quorum agrees, ask for more replicas when not, fail it past its limits. Decisions are
 * collected and written for a whole batch of work units at once ({@link Decisions}).
 *
 * <p>Counts are derived from the replica rows every time, never kept in counters, so a repeated or
 * recovered step cannot count anything twice.
 */
@Component
class WorkUnitEvaluator {
    private static final Logger log = LoggerFactory.getLogger(WorkUnitEvaluator.class);

    private final ValidationQueries queries;
    private final JobTable jobs;
    private final WorkUnitTable workUnits;
    private final HostTable hosts;
    private final ActivityTable activity;
    private final WorkSignal workSignal;
    private final JobCompleter completer;
    private final AppCatalog apps;
    private final Tracker tracker;
    private final TransferLedger ledger;
    private final DomainMeters meters;
    private final Clock clock;

    WorkUnitEvaluator(ValidationQueries queries, JobTable jobs, WorkUnitTable workUnits, HostTable hosts,
            ActivityTable activity, WorkSignal workSignal, JobCompleter completer, AppCatalog apps, Tracker tracker,
            TransferLedger ledger, DomainMeters meters, Clock clock) {
        this.meters = meters;
        this.tracker = tracker;
        this.ledger = ledger;
        this.queries = queries;
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.hosts = hosts;
        this.activity = activity;
        this.workSignal = workSignal;
        this.completer = completer;
        this.apps = apps;
        this.clock = clock;
    }

    /**
     * Evaluates the (locked) work units from their replicas, read in one statement, then writes what was
     * decided, together with what the caller already put in {@code decisions}, and nudges the job completer
     * once the transaction commits if a work unit was decided.
     */
    void settle(Collection<WorkUnitRow> locked, Decisions decisions, Instant now) {
        Map<Long, List<ReplicaRow>> replicas = queries.replicas(locked.stream().map(WorkUnitRow::id).toList());
        for (WorkUnitRow wu : locked) {
            evaluate(wu, replicas.get(wu.id()), decisions);
        }
        decisions.apply(queries, hosts, activity, tracker, ledger, workSignal, meters, now);
        if (decisions.decidedAny()) {
            AfterCommit.run(completer::nudge);
        }
    }

    /**
     * Decides what the (locked, open) work unit needs given its replicas as they are now, in
     * {@code decisions}; a failure is written at once.
     */
    private void evaluate(WorkUnitRow wu, List<ReplicaRow> replicas, Decisions decisions) {
        if (!wu.isOpen()) {
            return;
        }
        List<ReplicaRow> successes = replicas.stream().filter(ReplicaRow::isSuccess).toList();
        List<ReplicaRow> errors = replicas.stream().filter(ReplicaRow::isError).toList();
        long pending = replicas.stream().filter(ReplicaRow::isPending).count();
        long total = replicas.stream().filter(r -> !r.state().equals("CANCELLED")).count();

        if (errors.size() >= wu.maxErrors()) {
            ReplicaRow last = errors.get(errors.size() - 1);
            String why = last.state().equals("TIMED_OUT") ? "timed out" : last.error();
            fail(wu, errors.size() + " of its results failed (maxErrors " + wu.maxErrors() + "); last: " + why, decisions);
            return;
        }
        int needed;
        if (successes.size() >= wu.quorum()) {
            List<List<ReplicaRow>> groups = group(wu, successes);
            // the largest group that may decide (one with a host in good standing), else the largest of all
            List<ReplicaRow> best = null;
            List<ReplicaRow> largest = groups.get(0);
            for (List<ReplicaRow> g : groups) {
                if (g.size() > largest.size()) {
                    largest = g;
                }
                if (trusted(g) && (best == null || g.size() > best.size())) {
                    best = g;
                }
            }
            if (best != null && best.size() >= wu.quorum()) {
                decide(wu, best, successes, pending > 0, decisions);
                return;
            }
            for (ReplicaRow r : successes) {
                if (r.state().equals("REPORTED")) {
                    decisions.state(r.id(), "REPORTED", "INCONCLUSIVE", null, true);
                }
            }
            // a quorum of quarantined hosts alone needs one more result, of a host in good standing
            needed = Math.max(1, wu.quorum() - largest.size());
        } else {
            needed = wu.quorum() - successes.size();
        }
        long missing = needed - pending;
        if (missing <= 0) {
            return;
        }
        long room = wu.maxResults() - total;
        if (room <= 0) {
            if (pending == 0) {
                fail(wu, "no quorum of " + wu.quorum() + " agreeing results after " + total
                        + " results (maxResults " + wu.maxResults() + ")", decisions);
            }
            return;
        }
        decisions.moreReplicas(wu.id(), (int) Math.min(missing, room));
    }

    /** Whether a group of agreeing results holds one of a host in good standing (not quarantined when sent). */
    private static boolean trusted(List<ReplicaRow> group) {
        return group.stream().anyMatch(r -> !r.quarantined());
    }

    /** Judges a result reported after its work unit was validated against the canonical output. */
    void judgeLate(WorkUnitRow wu, long resultId, byte[] output, String hash, long hostId, Decisions decisions) {
        ValidationQueries.Output canonical = queries.output(wu.canonicalResultId());
        boolean agrees = hash.equals(canonical.hash())
                || equivalent(apps.installed(wu.app()), wu, canonical.bytes(), output);
        decisions.state(resultId, "REPORTED", agrees ? "VALID" : "INVALID", agrees ? wu.cost() : null, false);
        decisions.host(wu, hostId, agrees ? Outcome.VALID : Outcome.INVALID, agrees ? wu.cost() : 0);
    }

    private void decide(WorkUnitRow wu, List<ReplicaRow> winners, List<ReplicaRow> successes, boolean hasPending,
            Decisions decisions) {
        ReplicaRow canonical = winners.get(0);
        for (ReplicaRow r : successes) {
            boolean valid = winners.contains(r);
            decisions.state(r.id(), r.state(), valid ? "VALID" : "INVALID", valid ? wu.cost() : null, r == canonical);
            decisions.host(wu, r.hostId(), valid ? Outcome.VALID : Outcome.INVALID, valid ? wu.cost() : 0);
        }
        decisions.validate(wu, canonical.id(), hasPending);
        log.debug("Work unit {} validated: {} of {} results agree", wu.id(), winners.size(), successes.size());
    }

    private void fail(WorkUnitRow wu, String reason, Decisions decisions) {
        Instant now = clock.instant();
        queries.cancelPending(List.of(wu.id()));
        queries.fail(wu.id(), reason, now);
        decisions.failed(wu);
        String jobError = "work unit " + wu.index() + " (stage " + wu.stage() + ") failed: " + reason;
        if (jobs.finish(wu.jobId(), JobState.FAILED, null, jobError, now)) {
            workUnits.cancelOpen(wu.jobId(), now);
            log.info("Job {} failed: {}", wu.jobId(), jobError);
        }
    }

    /** Groups outputs by the app's equivalence (equal hashes always agree), keeping report order. */
    private List<List<ReplicaRow>> group(WorkUnitRow wu, List<ReplicaRow> successes) {
        App app = apps.installed(wu.app());
        List<List<ReplicaRow>> groups = new ArrayList<>();
        for (ReplicaRow r : successes) {
            List<ReplicaRow> home = null;
            for (List<ReplicaRow> g : groups) {
                ReplicaRow first = g.get(0);
                if (first.outputHash().equals(r.outputHash()) || equivalent(app, wu, first.output(), r.output())) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(r);
        }
        return groups;
    }

    private static boolean equivalent(App app, WorkUnitRow wu, byte[] a, byte[] b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return app.equivalent(new WorkUnit(wu.stage(), wu.index(), wu.input()), a, b);
        } catch (RuntimeException e) {
            log.warn("App {} failed to compare outputs of work unit {}; treating them as different", wu.app(), wu.id(), e);
            return false;
        }
    }
}
