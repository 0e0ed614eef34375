package dev.starling.coordinator.job;

import dev.starling.coordinator.web.Paging;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.AppVersionRevoked;
import dev.starling.coordinator.app.DeployedApp;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.dispatch.RunnableApps;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.coordinator.researcher.ResearcherQuotas;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.BadRequestException.FieldError;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Transactions;
import dev.starling.sdk.App;
import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Submitting, reading and cancelling jobs. A researcher sees only their own jobs (another's is "not found", so
 * ids leak nothing); the admin sees all.
 */
@Service
public class JobService {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    static final int MAX_PRIORITY = 1000;
    static final int MAX_REPLICAS = 100;
    static final int MAX_DEADLINE_SECONDS = 30 * 24 * 3600;
    /** the most failed work units a job's view lists */
    static final int FAILED_LISTED = 100;

    private final JobTable jobs;
    private final WorkUnitTable workUnits;
    private final AppCatalog apps;
    private final JsonMapper json;
    private final Clock clock;
    private final StarlingProperties properties;
    private final Splitter splitter;
    private final TransferLedger transfers;
    private final BlobService blobs;
    private final Transactions transactions;
    private final RunnableApps runnable;
    private final ApplicationEventPublisher events;

    private final ResearcherQuotas quotas;
    private final WaitingWorkUnits waiting;

    JobService(JobTable jobs, WorkUnitTable workUnits, AppCatalog apps, JsonMapper json, Clock clock,
            StarlingProperties properties, Splitter splitter, TransferLedger transfers, BlobService blobs,
            Transactions transactions, RunnableApps runnable, ResearcherQuotas quotas,
            ApplicationEventPublisher events, WaitingWorkUnits waiting) {
        this.waiting = waiting;
        this.quotas = quotas;
        this.runnable = runnable;
        this.events = events;
        this.blobs = blobs;
        this.transactions = transactions;
        this.transfers = transfers;
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.apps = apps;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
        this.splitter = splitter;
    }

    /** Validates the request completely, then stores the job; splitting happens in the background. */
    @Transactional
    public Job submit(SubmitJobRequest request, Caller caller) {
        if (request.app() == null || request.app().isBlank()) {
            throw new BadRequestException("app", "is required; installed apps: " + String.join(", ",
                    apps.all().stream().map(a -> a.info().name()).toList()));
        }
        App app = apps.require("app", request.app(), caller);
        if (request.params() == null) {
            throw new BadRequestException("params", "is required: a JSON object with the app's parameters");
        }
        List<FieldError> errors = new ArrayList<>();
        DeployedApp reduceApp = reduceApp(app, request.reduce(), caller, errors);
        String reduceJson = reduceApp == null ? null
                : json.writeValueAsString(reduceStep((DeployedApp) app, reduceApp, request.reduce(), errors));
        Redundancy redundancy = redundancy(request.redundancy(), errors);
        int deadline = deadline(app, reduceApp, request.deadlineSeconds(), errors);
        int priority = bounded(request.priority(), 0, -MAX_PRIORITY, MAX_PRIORITY, "priority", errors);
        long max = properties.limits().maxWorkUnitsPerStage();
        int maxFailed = app instanceof DeployedApp
                ? bounded(request.maxFailedWorkUnits(), 0, 0, (int) Math.min(Integer.MAX_VALUE, max),
                        "maxFailedWorkUnits", errors)
                : builtInMaxFailed(request.maxFailedWorkUnits(), errors);
        JobParams params = null;
        long stageSize = 0;
        try {
            if (app instanceof DeployedApp deployed) {
                AppCatalog.Checked checked = apps.check(deployed, request.params(), caller, max);
                params = checked.params();
                stageSize = checked.workUnits();
            } else {
                params = JobParams.of(app, request.params());
                checkBlobs(app, params, caller, errors);
                if (errors.isEmpty()) {
                    stageSize = app.split(params).size();
                    if (stageSize < 1 || stageSize > max) {
                        errors.add(new FieldError("params", "these parameters make " + stageSize
                                + " work units; a stage must have between 1 and " + max));
                    }
                }
            }
        } catch (InvalidParamsException e) {
            e.errors().forEach(p -> errors.add(new FieldError(p.param().isEmpty() ? "params" : "params." + p.param(),
                    p.message())));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("params", e.getMessage()));
        }
        String paramsJson = params == null ? null : json.writeValueAsString(params.asMap());
        if (paramsJson != null && paramsJson.length() > properties.limits().maxParamsBytes()) {
            errors.add(new FieldError("params", "is " + paramsJson.length() + " bytes; the limit is "
                    + properties.limits().maxParamsBytes()
                    + (app instanceof DeployedApp ? " (a longer list of work units goes in a blob: workUnitsBlob)" : "")));
        }
        if (errors.isEmpty()) {
            blobs.pinNamed(paramsJson).forEach(gone -> errors.add(new FieldError("params", "names blob " + gone
                    + ", which is no longer stored here (nothing referenced it for starling.retention.blob-grace);"
                    + " upload it again")));
        }
        if (!errors.isEmpty()) {
            throw new BadRequestException(errors);
        }
        long workUnits = stageSize;
        caller.owner().ifPresent(researcher -> quotas.checkJob(researcher, workUnits));
        String appId = AppCatalog.id(app);
        long id = jobs.insert(caller.owner().orElse(null), appId, paramsJson, priority, redundancy, deadline, stageSize,
                maxFailed, reduceApp == null ? null : reduceApp.id(), reduceJson, clock.instant());
        long planned = stageSize;
        boolean deployed = app instanceof DeployedApp;
        AfterCommit.run(() -> {
            log.info("Job {} submitted: {} with {} work units, quorum {}", id, appId, planned, redundancy.quorum());
            if (deployed) {
                runnable.jobSubmitted(); // dispatch learns that this version has work before the splitter writes it
            }
            splitter.nudge();
        });
        return jobs.find(id).orElseThrow();
    }

    /**
     * The app of a deployed app's job's reduce step, pinned as the job's app is ({@link AppCatalog#require}: one the
     * caller may not run is as unknown, a disabled or revoked one is a conflict), or null when the job has none.
     */
    private DeployedApp reduceApp(App app, SubmitJobRequest.ReduceRequest reduce, Caller caller,
            List<FieldError> errors) {
        if (reduce == null) {
            return null;
        }
        if (!(app instanceof DeployedApp)) {
            errors.add(new FieldError("reduce", "is for deployed apps' jobs: a built-in app assimilates its outputs"
                    + " itself"));
            return null;
        }
        if (reduce.app() == null || reduce.app().isBlank()) {
            errors.add(new FieldError("reduce.app", "is required: the deployed app version (name@version) that reduces"
                    + " the outputs"));
            return null;
        }
        if (!(apps.require("reduce.app", reduce.app(), caller) instanceof DeployedApp deployed)) {
            errors.add(new FieldError("reduce.app", "must be a deployed app (name@version), not the built-in app "
                    + reduce.app()));
            return null;
        }
        return deployed;
    }

    /**
     * The reduce step to store: its arguments (checked as a work unit's are) and the tree's shape from the settings.
     * A work unit of a tree reads up to {@code fanIn} outputs of either app: they must fit what a worker reads as
     * standard input.
     */
    private ReduceStep reduceStep(DeployedApp app, DeployedApp reduceApp, SubmitJobRequest.ReduceRequest reduce,
            List<FieldError> errors) {
        List<String> args = reduce.args() == null ? List.of() : reduce.args();
        if (args.size() > ReduceStep.MAX_ARGS) {
            errors.add(new FieldError("reduce.args", "has " + args.size() + " arguments; at most "
                    + ReduceStep.MAX_ARGS));
        }
        for (int i = 0; i < args.size() && i < ReduceStep.MAX_ARGS; i++) {
            String arg = args.get(i);
            if (arg == null || arg.length() > ReduceStep.MAX_ARG_LENGTH || arg.indexOf('\0') >= 0) {
                errors.add(new FieldError("reduce.args[" + i + "]", "must be a string of at most "
                        + ReduceStep.MAX_ARG_LENGTH + " characters without NUL"));
            }
        }
        StarlingProperties.Reduce shape = properties.reduce();
        long largest = shape.fanIn() * Math.max(app.maxOutputBytes(), reduceApp.maxOutputBytes());
        if (largest > ReduceStep.MAX_INPUT_BYTES) {
            errors.add(new FieldError("reduce", "a reduce work unit takes up to " + shape.fanIn() + " outputs (the"
                    + " fan-in) of up to " + Math.max(app.maxOutputBytes(), reduceApp.maxOutputBytes()) + " bytes (the"
                    + " apps' maxOutputBytes): " + largest + " bytes, more than the " + ReduceStep.MAX_INPUT_BYTES
                    + " a worker reads as standard input; deploy a version with a smaller maxOutputBytes"));
        }
        // with errors nothing is stored: the step is made only to be thrown away (and List.copyOf refuses nulls)
        return new ReduceStep(errors.isEmpty() ? args : List.of(), shape.fanIn(), shape.maxInputs(),
                shape.maxInputBytes().toBytes());
    }

    /**
     * The report deadline: as asked, or the default. A deployed app's tasks may take {@code maxCpuSeconds} of CPU
     * time (its reduce step's app's too), and a volunteer's machine may run them at half speed (a CPU limit of 50% is
     * common): its deadline must be at least twice that, and is by default four times that (at least 600 s).
     */
    private static int deadline(App app, DeployedApp reduceApp, Integer requested, List<FieldError> errors) {
        if (!(app instanceof DeployedApp deployed)) {
            return bounded(requested, 600, 10, MAX_DEADLINE_SECONDS, "deadlineSeconds", errors);
        }
        long cpu = Math.max(deployed.maxCpuSeconds(), reduceApp == null ? 0 : reduceApp.maxCpuSeconds());
        int least = (int) Math.min(MAX_DEADLINE_SECONDS, Math.max(10, 2 * cpu));
        int fallback = (int) Math.min(MAX_DEADLINE_SECONDS, Math.max(600, 4 * cpu));
        if (requested != null && requested < least && requested >= 10) {
            errors.add(new FieldError("deadlineSeconds", "must leave room for the app's maxCpuSeconds (" + cpu
                    + "): at least " + least + " (twice it, for a host computing at half speed), got " + requested
                    + "; leave it out for " + fallback));
            return fallback;
        }
        return bounded(requested, fallback, 10, MAX_DEADLINE_SECONDS, "deadlineSeconds", errors);
    }

    /** A built-in app's outputs are assimilated all together: none of its work units may fail. */
    private static int builtInMaxFailed(Integer requested, List<FieldError> errors) {
        if (requested != null && requested != 0) {
            errors.add(new FieldError("maxFailedWorkUnits", "is for deployed apps only: a built-in app assimilates"
                    + " the outputs of all its work units"));
        }
        return 0;
    }

    /** The job, if the caller may see it. */
    public Job get(long id, Caller caller) {
        return jobs.find(id).filter(j -> visible(j, caller)).orElseThrow(() -> new NotFoundException("no job " + id));
    }

    private static boolean visible(Job job, Caller caller) {
        if (job.retention() != null && job.retention().deletedAt() != null) {
            return false; // deleted by its researcher: gone from the API at once, purged in the background
        }
        Optional<Long> owner = caller.owner();
        return owner.isEmpty() || owner.get().equals(job.researcherId());
    }

    /** Read in one snapshot: the job row and its work unit counts must agree (the splitter writes meanwhile). */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public JobView view(long id, Caller caller) {
        Job job = get(id, caller);
        JobView view = view(job, jobs.workUnitCounts(List.of(id)).get(id), transfers.totals(List.of(id)).get(id));
        if (job.retention() != null) {
            return view;
        }
        return view.with(view.workUnits().failed() == 0 ? null : workUnits.failed(id, FAILED_LISTED).stream()
                        .map(f -> new JobView.FailedWorkUnit(f.stage(), f.index(), f.error())).toList(),
                view.workUnits().open() > view.workUnits().unsplit() ? waiting(job).orElse(null) : null);
    }

    /**
     * Why some of a running job's work units wait, when some do: too few volunteers (or hosts) can be sent them
     * ({@link JobView#waiting}).
     */
    public Optional<JobView.Waiting> waiting(Job job) {
        return waiting.of(job);
    }

    /**
     * What a job's view says of its work units before they are purged, to keep on its row: read in one snapshot, like
     * {@link #view(long, Caller)}.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public JobView.Summary summary(long id) {
        Job job = jobs.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
        JobView view = view(job, jobs.workUnitCounts(List.of(id)).get(id), transfers.totals(List.of(id)).get(id));
        return new JobView.Summary(view.workUnits(), view.progress(), view.transfer(),
                view.workUnits().failed() == 0 ? List.of() : workUnits.failed(id, FAILED_LISTED).stream()
                        .map(f -> new JobView.FailedWorkUnit(f.stage(), f.index(), f.error())).toList());
    }

    /**
     * Deletes a finished job ({@code DELETE /api/v1/jobs/{id}}): it is gone from the API at once, and the purger deletes
     * its work units and replicas (without an archive) and lets its archive, if it had one, be collected. A queued or
     * running job is a conflict: cancel it first.
     */
    @Transactional
    public void delete(long id, Caller caller) {
        Job job = jobs.lock(id).filter(j -> visible(j, caller))
                .orElseThrow(() -> new NotFoundException("no job " + id));
        if (!job.state().isFinal()) {
            throw new ConflictException("job " + id + " is " + job.state() + "; only a finished job can be deleted:"
                    + " cancel it first (POST /api/v1/jobs/" + id + "/cancel)");
        }
        jobs.markDeleted(id, clock.instant());
        AfterCommit.run(() -> {
            log.info("Job {} deleted by request", id);
            events.publishEvent(new JobDeleted(id));
        });
    }

    /** The jobs the caller may see, newest first. */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Page<JobView> page(int page, int size, Caller caller) {
        List<Job> list = jobs.page(caller.owner(), Paging.offset(page, size), size);
        List<Long> ids = list.stream().map(Job::id).toList();
        Map<Long, Map<String, Long>> counts = jobs.workUnitCounts(ids);
        Map<Long, TransferLedger.Totals> moved = transfers.totals(ids);
        return new Page<>(list.stream().map(j -> view(j, counts.get(j.id()), moved.get(j.id()))).toList(), page, size,
                jobs.count(caller.owner()));
    }

    /**
     * Cancels a queued or running job; cancelling a cancelled job changes nothing. Its transaction is tried again
     * when PostgreSQL picks it as a deadlock's victim: it locks the job and then all its open replicas, while a
     * claim holding some of them may be marking the job RUNNING, and a work unit failing may be failing the job.
     */
    public Job cancel(long id, Caller caller) {
        return transactions.retrying(() -> {
            Job job = jobs.lock(id).filter(j -> visible(j, caller))
                    .orElseThrow(() -> new NotFoundException("no job " + id));
            if (job.state() == JobState.CANCELLED) {
                return job;
            }
            if (job.state().isFinal()) {
                throw new ConflictException("job " + id + " has already " + job.state()
                        + "; only a queued or running job can be cancelled");
            }
            jobs.finish(id, JobState.CANCELLED, null, "cancelled by request", clock.instant());
            workUnits.cancelOpen(id, clock.instant());
            AfterCommit.run(() -> log.info("Job {} cancelled", id));
            return jobs.find(id).orElseThrow();
        });
    }

    /**
     * The admin revoked a deployed app version: its queued and running jobs are cancelled in the revoking transaction
     * (locked in id order), their open replicas with them, so workers drop those tasks at their next contact.
     */
    @EventListener
    void revoked(AppVersionRevoked revoked) {
        Instant now = clock.instant();
        String error = "app " + revoked.app() + " was revoked by the admin"
                + (revoked.reason() == null ? "" : ": " + revoked.reason());
        List<Long> cancelled = new ArrayList<>();
        for (long id : jobs.activeOf(revoked.app())) {
            if (jobs.lock(id).filter(j -> !j.state().isFinal()).isPresent()
                    && jobs.finish(id, JobState.CANCELLED, null, error, now)) {
                workUnits.cancelOpen(id, now);
                cancelled.add(id);
            }
        }
        if (!cancelled.isEmpty()) {
            AfterCommit.run(() -> log.info("Job(s) {} cancelled: {}", cancelled, error));
        }
    }

    /** The assimilated result of a succeeded job, as JSON. */
    public String result(long id, Caller caller) {
        Job job = get(id, caller);
        if (job.state() != JobState.SUCCEEDED) {
            throw new ConflictException("job " + id + " is " + job.state()
                    + (job.state().isFinal() ? " and has no result" : "; its result exists once it has SUCCEEDED"));
        }
        return job.resultJson();
    }

    JobView view(Job job, Map<String, Long> byState, TransferLedger.Totals moved) {
        if (job.retention() != null && job.retention().summaryJson() != null) {
            return archivedView(job);
        }
        Map<String, Long> c = JobTable.complete(byState);
        long written = c.values().stream().mapToLong(Long::longValue).sum();
        long unwritten = job.splitComplete() || job.stageSize() == null ? 0 : job.stageSize() - job.splitNext();
        long total = written + unwritten;
        var counts = new JobView.WorkUnitCounts(total, unwritten, c.get("OPEN") + unwritten, c.get("VALIDATED"), c.get("FAILED"),
                c.get("CANCELLED"));
        double progress = job.state() == JobState.SUCCEEDED ? 1.0 : total == 0 ? 0.0 : (double) counts.validated() / total;
        return new JobView(job.id(), job.researcherId(), job.app(), job.state(), job.priority(), job.paramsJson(), job.redundancy(),
                job.deadlineSeconds(), job.stage(), counts, progress, job.createdAt(), job.startedAt(),
                job.finishedAt(), job.error(), moved == null ? new JobView.Transfer(0, 0)
                        : new JobView.Transfer(moved.bytesFromCoordinator(), moved.bytesFromPeers()),
                job.maxFailedWorkUnits(), null, reduceView(job), job.recheck(), null, null);
    }

    /** A job whose work units and replicas are being or have been purged: its counts as they were before. */
    private JobView archivedView(Job job) {
        Job.Retention r = job.retention();
        JobView.Summary s = json.readValue(r.summaryJson(), JobView.Summary.class);
        String download = r.archiveBlob() == null ? null : "/api/v1/jobs/" + job.id() + "/archive";
        return new JobView(job.id(), job.researcherId(), job.app(), job.state(), job.priority(), job.paramsJson(),
                job.redundancy(), job.deadlineSeconds(), job.stage(), s.workUnits(), s.progress(), job.createdAt(),
                job.startedAt(), job.finishedAt(), job.error(), s.transfer(), job.maxFailedWorkUnits(),
                s.failedWorkUnits().isEmpty() ? null : s.failedWorkUnits(), reduceView(job), job.recheck(),
                new JobView.Archive(r.archiveBlob(), download, r.archivedAt(), r.purgedAt(),
                        "this job's work units and replicas " + (r.purgedAt() == null ? "are being" : "were")
                                + " archived and deleted (starling.retention.finished-jobs); the counts above are"
                                + " as they were, the details are in the archive" + (download == null ? ""
                                : ", a gzip JSON-lines file at " + download)), null);
    }

    /** The archive of a purged job's work units and replicas, if it has one (the caller may see the job). */
    public String archiveBlob(long id, Caller caller) {
        Job job = get(id, caller);
        if (job.retention() == null || job.retention().archiveBlob() == null) {
            throw new NotFoundException("job " + id + " has no archive: a job's work units and replicas are archived"
                    + " once it has been finished for starling.retention.finished-jobs"
                    + (job.state().isFinal() ? "" : " (this one is " + job.state() + ")"));
        }
        return job.retention().archiveBlob();
    }

    private JobView.Reduce reduceView(Job job) {
        if (job.reduceApp() == null) {
            return null;
        }
        ReduceStep step = json.readValue(job.reduceJson(), ReduceStep.class);
        return new JobView.Reduce(job.reduceApp(), step.args(), step.fanIn(), step.maxInputs(), step.maxInputBytes());
    }

    /**
     * Blob parameters must name blobs stored here (at first, workers can fetch an uploaded blob from nowhere else)
     * that the caller may read.
     */
    private void checkBlobs(App app, JobParams params, Caller caller, List<FieldError> errors) {
        Map<String, String> named = new LinkedHashMap<>();
        for (ParamSpec spec : app.info().params()) {
            if (spec.type() == ParamSpec.Type.BLOB && params.has(spec.name())) {
                named.put(spec.name(), params.getString(spec.name()));
            }
        }
        if (named.isEmpty()) {
            return;
        }
        Set<String> stored = blobs.readable(named.values(), caller);
        named.forEach((param, id) -> {
            if (!stored.contains(id)) {
                errors.add(new FieldError("params." + param, "no blob " + id
                        + " is stored on this coordinator; upload it first with POST /api/v1/blobs"));
            }
        });
    }

    private Redundancy redundancy(SubmitJobRequest.RedundancyRequest r, List<FieldError> errors) {
        var req = r == null ? new SubmitJobRequest.RedundancyRequest(null, null, null, null, null) : r;
        int quorum = bounded(req.quorum(), 2, 1, MAX_REPLICAS, "redundancy.quorum", errors);
        int initial = bounded(req.initialReplicas(), quorum, quorum, MAX_REPLICAS, "redundancy.initialReplicas", errors);
        int maxResults = bounded(req.maxResults(), Math.max(6, 3 * quorum), Math.max(initial, 1), 10 * MAX_REPLICAS,
                "redundancy.maxResults", errors);
        int maxErrors = bounded(req.maxErrors(), 3, 1, 10 * MAX_REPLICAS, "redundancy.maxErrors", errors);
        boolean adaptive = req.adaptive() != null ? req.adaptive() : properties.adaptiveReplication().enabled();
        return new Redundancy(quorum, initial, maxResults, maxErrors, adaptive);
    }

    private static int bounded(Integer value, int fallback, int min, int max, String field, List<FieldError> errors) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max + ", got " + value));
            return fallback;
        }
        return value;
    }
}
