package dev.starling.coordinator.job;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.App;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves on jobs whose current stage has no open work unit left: when the app plans a next stage from the
 * stage's canonical outputs, the job moves to it and the splitter writes its work units; otherwise the app
 * assimilates the canonical outputs (streamed in index order) into the job's result, in the same transaction
 * that marks the job SUCCEEDED. Validation nudges it; its interval is the safety net for nudges lost in a crash.
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

    JobCompleter(JobTable jobs, WorkUnitTable workUnits, JobParamsReader params, AppCatalog apps,
            TransactionTemplate tx, JsonMapper json, Clock clock, Splitter splitter, StarlingProperties properties) {
        super("completer", properties.sweep().interval());
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
        if (failed > job.maxFailedWorkUnits()) {
            // normally the validation that failed the work unit failed the job in the same transaction
            jobs.finish(job.id(), JobState.FAILED, null, failed + " work unit(s) failed", clock.instant());
            return;
        }
        App app = apps.installed(job.app());
        JobParams jobParams = params.params(job);
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
        Map<String, Object> result;
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), job.stage())) {
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
        jobs.finish(job.id(), JobState.SUCCEEDED, json.writeValueAsString(result), null, clock.instant());
        log.info("Job {} ({}) succeeded", job.id(), job.app());
    }
}
