package dev.starling.coordinator.validation;

import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.DeployedApp;
import dev.starling.coordinator.app.DeployedOutputs;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.job.JobCompleter;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.validation.QuorumRule.Judgement;
import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.sdk.App;
import dev.starling.sdk.WorkUnit;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Decides what open work units need after some of their replicas changed, with the work unit rows locked by the
 * caller's transaction (so two reports of one work unit are never judged at the same time): reads their replicas,
 * asks the {@link QuorumRule}, and collects its verdicts in {@link Decisions}, which {@link DecisionWriter} writes
 * for the whole batch at once.
 */
@Component
class WorkUnitEvaluator {
    private static final Logger log = LoggerFactory.getLogger(WorkUnitEvaluator.class);

    private final ValidationQueries queries;
    private final AppCatalog apps;
    private final DecisionWriter writer;
    private final JobCompleter completer;
    private final SpotChecks spotChecks;

    WorkUnitEvaluator(ValidationQueries queries, AppCatalog apps, DecisionWriter writer, JobCompleter completer,
            SpotChecks spotChecks) {
        this.spotChecks = spotChecks;
        this.queries = queries;
        this.apps = apps;
        this.writer = writer;
        this.completer = completer;
    }

    /**
     * Evaluates the (locked) work units from their replicas, read in one statement, then writes what was
     * decided, together with what the caller already put in {@code decisions}, and nudges the job completer
     * once the transaction commits if a work unit was decided.
     */
    void settle(Collection<WorkUnitRow> locked, Decisions decisions, Instant now) {
        Map<Long, List<ReplicaRow>> replicas = queries.replicas(locked.stream().map(WorkUnitRow::id).toList());
        for (WorkUnitRow wu : locked) {
            QuorumRule.Verdict verdict = QuorumRule.decide(wu.state(), wu.limits(), replicas.get(wu.id()),
                    equivalence(wu));
            record(wu, verdict, decisions);
        }
        writer.apply(decisions, now);
        if (decisions.decidedAny()) {
            AfterCommit.run(completer::nudge);
        }
    }

    /** Collects a verdict in {@code decisions}; a failure is written at once. */
    private void record(WorkUnitRow wu, QuorumRule.Verdict verdict, Decisions decisions) {
        ReplicaRow canonical = verdict instanceof QuorumRule.Validate v ? v.canonical() : null;
        for (Judgement j : verdict.judgements()) {
            ReplicaRow r = j.replica();
            boolean valid = j.to() == ReplicaState.VALID;
            decisions.state(r.id(), r.state(), j.to(), valid ? wu.cost() : null,
                    j.to() == ReplicaState.INCONCLUSIVE || r == canonical);
            if (canonical != null) {
                decisions.host(wu, r.hostId(), valid ? Outcome.VALID : Outcome.INVALID, valid ? wu.cost() : 0);
                // outvoted, it doubts; agreeing with a partner vouches for nothing (the partner may be a colluder)
                if (!valid && !r.alone() && r.hostId() != null) {
                    decisions.doubt(wu, r.hostId());
                }
            }
        }
        switch (verdict) {
            case QuorumRule.Validate v -> {
                decisions.validate(wu, v.canonical().id(), v.cancelPending());
                if (spotChecks.draw(v)) {
                    decisions.spotCheck(wu.id());
                }
                if (AppCatalog.isDeployed(wu.app()) && DeployedOutputs.hasFiles(v.canonical().output())) {
                    decisions.outputFiles(wu.jobId(), v.canonical().output());
                }
                log.debug("Work unit {} validated: {} of {} results agree", wu.id(),
                        v.judgements().stream().filter(j -> j.to() == ReplicaState.VALID).count(),
                        v.judgements().size());
            }
            case QuorumRule.MoreReplicas m -> decisions.moreReplicas(wu.id(), m.count());
            case QuorumRule.Fail f -> writer.fail(wu, f.reason(), decisions);
            case QuorumRule.Wait w -> { }
        }
    }

    /**
     * Judges a result reported after its work unit was validated against the canonical output. A spot check (the
     * known answer was decided before it was sent) that agrees vouches for its host's earlier alone results; one that
     * disagrees convicts its host. Any late result that disagrees doubts its host's alone results; a late replica
     * that agrees (not a spot check: it was sent before the answer was known, and the answer may be a colluder's)
     * vouches for nothing.
     */
    void judgeLate(WorkUnitRow wu, long resultId, byte[] output, String hash, long hostId, Decisions decisions) {
        ValidationQueries.Output canonical = queries.output(wu.canonicalResultId());
        ReplicaState to = QuorumRule.judgeLate(canonical.hash(), canonical.bytes(), hash, output, equivalence(wu));
        boolean agrees = to == ReplicaState.VALID;
        boolean spotCheck = spotChecks.isSpotCheck(resultId);
        decisions.state(resultId, ReplicaState.REPORTED, to, agrees ? wu.cost() : null, false);
        decisions.host(wu, hostId, agrees ? Outcome.VALID : Outcome.INVALID, agrees ? wu.cost() : 0);
        if (agrees && spotCheck) {
            decisions.vouch(resultId);
        } else if (!agrees) {
            decisions.doubt(wu, hostId);
            if (spotCheck) {
                decisions.convict(hostId, wu.id());
            }
        }
    }

    /**
     * The work unit's app's {@code equivalent}; an app that fails to compare is taken to say "different". The app is
     * looked up only when outputs with different hashes are compared, or, for a deployed app, when the quorum rule
     * asks whether its validation is transitive (numeric tolerance is not).
     */
    private QuorumRule.Equivalence equivalence(WorkUnitRow wu) {
        return new QuorumRule.Equivalence() {
            @Override
            public boolean equivalent(byte[] a, byte[] b) {
                App app = apps.installed(wu.app());
                try {
                    return app.equivalent(new WorkUnit(wu.stage(), wu.index(), wu.input()), a, b);
                } catch (RuntimeException e) {
                    log.warn("App {} failed to compare outputs of work unit {}; treating them as different", wu.app(),
                            wu.id(), e);
                    return false;
                }
            }

            @Override
            public boolean transitive() {
                return !AppCatalog.isDeployed(wu.app()) || ((DeployedApp) apps.installed(wu.app())).transitive();
            }
        };
    }
}
