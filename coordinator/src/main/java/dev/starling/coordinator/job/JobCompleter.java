package dev.starling.coordinator.job;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.DeployedOutputs;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.App;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves on jobs whose current stage has no open work unit left. First, once per stage, the stage's work units whose
 * result stood alone and no spot check vouched for are listed for re-checking ({@link JobTable#holdUnvouched}): the
 * job waits until they are validated again by a full quorum of other hosts. Then, when the app plans a next stage
 * from the stage's canonical outputs, the job moves to it and the splitter writes its work units; otherwise the app
 * assimilates the canonical outputs (streamed in index order) into the job's result, in the same transaction
 * that marks the job SUCCEEDED. A deployed app's job with a reduce step moves on to the step's levels instead
 * ({@link ReduceStages}), and succeeds after the last. Validation nudges it; its interval is the safety net for nudges
 * lost in a crash.
 */
@Component
public class JobCompleter extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(JobCompleter.class);

    private final JobTable jobs;
    private final WorkUnitTable workUnits;
    private final JobParamsReader params;
    private final AppCatalog apps;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Clock clock;
    private final Splitter splitter;
    private final long maxWorkUnitsPerStage;
    private final ReduceStages reduce;
    private final boolean recheckUnvouched;

    JobCompleter(JobTable jobs, WorkUnitTable workUnits, JobParamsReader params, AppCatalog apps,
            TransactionTemplate tx, JsonMapper json, Clock clock, Splitter splitter, StarlingProperties properties,
            ReduceStages reduce) {
        super("completer", properties.sweep().interval());
        this.reduce = reduce;
        this.recheckUnvouched = properties.adaptiveReplication().recheckUnvouched();
        this.splitter = splitter;
        this.maxWorkUnitsPerStage = properties.limits().maxWorkUnitsPerStage();
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.params = params;
        this.apps = apps;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected boolean step() {
        return Boolean.TRUE.equals(tx.execute(status -> {
            Optional<Job> claimed = jobs.claimStageComplete();
            claimed.ifPresent(this::complete);
            return claimed.isPresent();
        }));
    }

    private void complete(Job job) {
        long failed = workUnits.countFailed(job.id());
        long reduceFailed = job.reduceApp() != null && job.stage() > 0 ? workUnits.countFailed(job.id(), 1) : 0;
        if (reduceFailed > 0) {
            // normally failed by the validation that failed the work unit: maxFailedWorkUnits is for the app's own
            // work units, and a reduce step that lost an input would give a wrong result
            jobs.finish(job.id(), JobState.FAILED, null, "the reduce step failed: " + reduceFailed + " work unit(s)"
                    + " of its levels failed", clock.instant());
            return;
        }
        if (failed > job.maxFailedWorkUnits()) {
            // normally the validation that failed the work unit failed the job in the same transaction
            jobs.finish(job.id(), JobState.FAILED, null, failed + " work unit(s) failed", clock.instant());
            return;
        }
        if (recheckUnvouched) {
            long held = jobs.holdUnvouched(job.id(), job.stage());
            if (held > 0) {
                // the stage ends once they are validated again, by a full quorum of other hosts (Rechecker)
                AfterCommit.run(() -> log.info("Job {} ({}): stage {} held: {} work unit(s) whose result stood alone, "
                        + "not vouched for by a spot check, to be computed again", job.id(), job.app(), job.stage(),
                        held));
                return;
            }
        }
        App app = apps.installed(job.app());
        JobParams jobParams = params.params(job);
        if (job.reduceApp() != null) {
            OptionalLong level = reduce.nextLevel(job);
            if (level.isPresent()) {
                jobs.planStage(job.id(), job.stage() + 1, level.getAsLong());
                AfterCommit.run(splitter::nudge);
                log.info("Job {} ({}): stage {} done, reduce level {} ({}) has {} work unit(s)", job.id(), job.app(),
                        job.stage(), job.stage() + 1, job.reduceApp(), level.getAsLong());
            } else {
                succeed(job, app, jobParams, failed);
            }
            return;
        }
        Optional<StagePlan> next;
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), job.stage())) {
            next = app.nextStage(jobParams, job.stage(), outputs);
        } catch (RuntimeException e) {
            log.warn("Job {}: app {} failed to plan the stage after stage {}", job.id(), job.app(), job.stage(), e);
            jobs.finish(job.id(), JobState.FAILED, null, "planning stage " + (job.stage() + 1) + " failed: " + e,
                    clock.instant());
            return;
        }
        if (next.isPresent()) {
            long size = next.get().size();
            if (size > maxWorkUnitsPerStage) {
                jobs.finish(job.id(), JobState.FAILED, null, "stage " + (job.stage() + 1) + " would have " + size
                        + " work units; the limit is " + maxWorkUnitsPerStage, clock.instant());
                return;
            }
            // the splitter writes the new stage's work units, planning it again from the same outputs
            jobs.planStage(job.id(), job.stage() + 1, size);
            AfterCommit.run(splitter::nudge);
            log.info("Job {} ({}): stage {} done, stage {} has {} work units", job.id(), job.app(), job.stage(),
                    job.stage() + 1, size);
            return;
        }
        succeed(job, app, jobParams, failed);
    }

    /**
     * The app assimilates the canonical outputs of its work units (the last stage's; a deployed app's are its only
     * stage, the first) into the job's result, and the job SUCCEEDS.
     */
    private void succeed(Job job, App app, JobParams jobParams, long failed) {
        Map<String, Object> result;
        int stage = job.reduceApp() != null ? 0 : job.stage();
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), stage)) {
            result = app.assimilate(jobParams, outputs);
        } catch (RuntimeException e) {
            log.warn("Job {}: app {} failed to assimilate", job.id(), job.app(), e);
            jobs.finish(job.id(), JobState.FAILED, null, "assimilation failed: " + e, clock.instant());
            return;
        }
        if (AppCatalog.isDeployed(job.app())) {
            // where the outputs are, and how many work units failed within the job's maxFailedWorkUnits
            result = new LinkedHashMap<>(result);
            result.put("failedWorkUnits", failed);
            result.put("outputsUrl", "/api/v1/jobs/" + job.id() + "/outputs");
        }
        if (job.reduceApp() != null) {
            result.put("reduce", reduceResult(job));
        }
        jobs.finish(job.id(), JobState.SUCCEEDED, json.writeValueAsString(result), null, clock.instant());
        log.info("Job {} ({}) succeeded", job.id(), job.app());
    }

    /**
     * What the result says of a reduce step's output, the job's result: the output of the single work unit of its last
     * level, whose standard output {@code GET /api/v1/jobs/{id}/result/output} streams.
     */
    private Map<String, Object> reduceResult(Job job) {
        byte[] output;
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), job.stage())) {
            output = outputs.findFirst().orElseThrow(() -> new IllegalStateException("job " + job.id()
                    + ": the last level of its reduce step has no canonical output")).output();
        }
        ByteString stdout = DeployedOutputs.stdout(output);
        Map<String, Object> reduced = new LinkedHashMap<>();
        reduced.put("app", job.reduceApp());
        reduced.put("levels", job.stage());
        reduced.put("size", stdout.size());
        reduced.put("sha256", sha256(stdout));
        reduced.put("encoding", stdout.isValidUtf8() ? "utf-8" : "binary");
        reduced.put("outputUrl", "/api/v1/jobs/" + job.id() + "/result/output");
        reduced.put("files", DeployedOutputs.line(0, output).get("files"));
        return reduced;
    }

    /** The plain SHA-256 of the bytes, in hex (as {@code sha256sum} prints it). */
    static String sha256(ByteString bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.asReadOnlyByteBuffer());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
