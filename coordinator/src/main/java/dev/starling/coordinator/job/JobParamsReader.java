package dev.starling.coordinator.job;

import dev.starling.coordinator.app.AppCatalog;
import dev.starling.sdk.App;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Turns a stored job back into what its app works with: typed parameters and the current stage's plan. */
@Component
class JobParamsReader {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private final AppCatalog apps;
    private final JsonMapper json;

    JobParamsReader(AppCatalog apps, JsonMapper json) {
        this.apps = apps;
        this.json = json;
    }

    JobParams params(Job job) {
        App app = apps.installed(job.app());
        return ParamSpec.bind(app.info().params(), json.readValue(job.paramsJson(), MAP));
    }

    /** The plan of the job's current stage. Stage 0 comes from split; later stages are planned by the completer. */
    StagePlan plan(Job job) {
        App app = apps.installed(job.app());
        if (job.stage() != 0) {
            throw new IllegalStateException("job " + job.id() + " is at stage " + job.stage()
                    + "; multi-stage splitting is not supported yet");
        }
        return app.split(params(job));
    }
}
