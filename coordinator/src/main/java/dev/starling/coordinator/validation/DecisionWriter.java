package dev.starling.coordinator.validation;

import dev.starling.coordinator.activity.ActivityTable;
import dev.starling.coordinator.app.DeployedOutputs;
import dev.starling.coordinator.dispatch.WorkSignal;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.host.HostTrustTable;
import dev.starling.coordinator.host.TaskDayTable;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobTable;
import dev.starling.coordinator.metrics.DomainMeters;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitTable;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes what was decided about a batch of work units, in the deciding transaction: {@link #apply} writes
 * {@link Decisions} with one statement per kind of change; {@link #fail} writes a failed work unit at once (rare).
 * The jobs of failed work units fail last, once everything else the batch decided is written: failing a job cancels
 * its open work units, and other work units of that job may have been decided in the same batch. Metrics are counted
 * once the transaction commits.
 */
@Component
class DecisionWriter {
    private static final Logger log = LoggerFactory.getLogger(DecisionWriter.class);

    private final ValidationQueries queries;
    private final JobTable jobs;
    private final WorkUnitTable workUnits;
    private final HostTable hosts;
    private final ActivityTable activity;
    private final Tracker tracker;
    private final TransferLedger ledger;
    private final WorkSignal signal;
    private final DomainMeters meters;
    private final DeployedOutputs outputs;
    private final Clock clock;
    private final HostTrustTable trust;
    private final SpotChecks spotChecks;
    private final TaskDayTable taskDays;

    DecisionWriter(ValidationQueries queries, JobTable jobs, WorkUnitTable workUnits, HostTable hosts,
            ActivityTable activity, Tracker tracker, TransferLedger ledger, WorkSignal signal, DomainMeters meters,
            DeployedOutputs outputs, Clock clock, HostTrustTable trust, SpotChecks spotChecks, TaskDayTable taskDays) {
        this.taskDays = taskDays;
        this.trust = trust;
        this.spotChecks = spotChecks;
        this.outputs = outputs;
        this.queries = queries;
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.hosts = hosts;
        this.activity = activity;
        this.tracker = tracker;
        this.ledger = ledger;
        this.signal = signal;
        this.meters = meters;
        this.clock = clock;
    }

    void apply(Decisions d, Instant now) {
        tracker.produced(d.produced());
        queries.setStates(d.states());
        hosts.record(d.hosts());
        trust.record(d.trust());
        trust.checked(d.vouching(), d.doubted(), now);
        activity.record(d.activity(), now);
        queries.validate(d.validated(), now);
        spotChecks.revalidated(d.recheckedValidated(), now);
        queries.cancelPending(d.cancelPending());
        int created = queries.addReplicas(d.moreReplicas(), now) + spotChecks.add(d.spotChecks(), now);
        spotChecks.convict(d.convicted(), now);
        // hosts whose outputs were accepted hold the blobs those outputs name
        tracker.canonicalHolders(d.states().stream().filter(c -> c.to() == ReplicaState.VALID)
                .map(Decisions.StateChange::resultId).toList());
        d.bytesFromPeers().forEach((job, bytes) -> ledger.record(job, 0, bytes));
        keepOutputFiles(d.outputFiles());
        signal.workCreated(created + d.givenBackCount());
        taskDays.addGivenBack(d.gaveBack(), HostStanding.day(now));
        failJobs(d.failedJobs(), now);
        int validatedCount = d.validated().size();
        int failedCount = d.failedCount();
        int givenBackCount = d.givenBackCount();
        Map<Outcome, Integer> counted = new EnumMap<>(d.outcomes());
        AfterCommit.run(() -> {
            meters.validated(validatedCount);
            meters.failed(failedCount);
            meters.results(DomainMeters.Outcome.GIVEN_BACK, givenBackCount);
            counted.forEach((o, n) -> meters.results(DomainMeters.Outcome.valueOf(o.name()), n));
        });
    }

    /**
     * Keeps the files deployed apps' canonical outputs wrote as blobs their jobs' researchers may read, in the deciding
     * transaction (a blob row is written only once its bytes are stored; the same bytes again keep one copy).
     */
    private void keepOutputFiles(List<Map.Entry<Long, byte[]>> canonical) {
        Map<Long, Optional<Long>> researchers = new HashMap<>();
        for (Map.Entry<Long, byte[]> e : canonical) {
            Optional<Long> researcher = researchers.computeIfAbsent(e.getKey(),
                    job -> jobs.find(job).map(Job::researcherId));
            queries.jobBlobs(e.getKey(), outputs.keepFiles(e.getValue(), researcher.orElse(null)));
        }
    }

    /**
     * Fails the (locked, open) work unit at once: its pending replicas are cancelled. Its job fails with it when
     * {@link #apply} ends, if it then has more failed work units than it allows.
     */
    void fail(WorkUnitRow wu, String reason, Decisions decisions) {
        Instant now = clock.instant();
        queries.cancelPending(List.of(wu.id()));
        queries.fail(wu.id(), reason, now);
        decisions.failed(wu, "work unit " + wu.index() + " (stage " + wu.stage() + ") failed: " + reason);
    }

    /**
     * Fails the jobs (job id to the error of its first failed work unit in this batch) that now have more failed work
     * units than they allow ({@code maxFailedWorkUnits}, 0 by default), and cancels their open work units.
     */
    private void failJobs(Map<Long, String> errors, Instant now) {
        errors.forEach((job, error) -> {
            if (jobs.failIfTooManyFailed(job, error, now)) {
                workUnits.cancelOpen(job, now);
                AfterCommit.run(() -> log.info("Job {} failed: {}", job, error));
            }
        });
    }
}
