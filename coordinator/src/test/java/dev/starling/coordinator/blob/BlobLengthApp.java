package dev.starling.coordinator.blob;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A test app with a blob parameter: one work unit that reads the blob and outputs its length. */
public final class BlobLengthApp implements App {
    public static final String NAME = "blob-length";

    @Override
    public AppInfo info() {
        return new AppInfo(NAME, "1", "Outputs the length of a blob (tests only).",
                List.of(ParamSpec.blob("data", "the blob to measure")));
    }

    @Override
    public StagePlan split(JobParams params) {
        String blob = params.getString("data");
        return StagePlan.of(1, index -> new WorkUnitSpec(new byte[0], 1.0, List.of(blob)));
    }

    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        context.output().write(Long.toString(context.blobSize(workUnit.blobs().get(0))).getBytes(US_ASCII));
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        return Map.of("length", outputs.mapToLong(o -> Long.parseLong(new String(o.output(), US_ASCII))).sum());
    }
}
