package dev.starling.coordinator.job;

import dev.starling.sdk.StagePlan;
import org.springframework.context.ApplicationContext;

/** For tests outside this package: the plan the splitter works from for a stored job (as after a restart). */
public final class JobParamsAccess {
    private JobParamsAccess() {}

    public static StagePlan plan(ApplicationContext context, long jobId) {
        Job job = context.getBean(JobTable.class).find(jobId).orElseThrow();
        return context.getBean(JobParamsReader.class).plan(job);
    }
}
