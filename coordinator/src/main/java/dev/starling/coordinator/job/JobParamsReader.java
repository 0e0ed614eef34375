package dev.starling.coordinator.job;

import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.App;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Turns a stored job back into what its app works with: typed parameters and the current stage's plan. */
@Component
class JobParamsReader {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private final AppCatalog apps;
    private final WorkUnitTable workUnits;
    private final JsonMapper json;
    private final ReduceStages reduce;

    JobParamsReader(AppCatalog apps, WorkUnitTable workUnits, JsonMapper json, ReduceStages reduce) {
        this.apps = apps;
        this.reduce = reduce;
        this.workUnits = workUnits;
        this.json = json;
    }

    JobParams params(Job job) {
        return apps.stored(apps.installed(job.app()), json.readValue(job.paramsJson(), MAP));
    }

    /**
     * The plan of the job's current stage: stage 0 from split, a later one from the canonical outputs of the
     * stage before (read in a transaction), as the completer planned it when that stage was done. The app
     * must plan the same stage from the same outputs every time: a crash mid-split plans it again. The later stages
     * of a job with a reduce step are that step's levels.
     */
    StagePlan plan(Job job) {
        App app = apps.installed(job.app());
        if (job.stage() == 0) {
            return app.split(params(job));
        }
        if (job.reduceApp() != null) {
            return reduce.plan(job);
        }
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), job.stage() - 1)) {
            return app.nextStage(params(job), job.stage() - 1, outputs).orElseThrow(() -> new IllegalStateException(
                    "app " + job.app() + " planned stage " + job.stage() + " of job " + job.id()
                            + " once and now plans no such stage: nextStage must be a pure function of its inputs"));
        }
    }
}
