package dev.starling.coordinator.peer;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A test-only two-stage app whose data travels as blobs: stage 0 work unit i stores {@link #part(long)} as a
 * blob and outputs its id; stage 1 is one work unit that reads every part and outputs their total size.
 */
public final class RelayApp implements App {
    public static final String NAME = "test-relay";

    /** The bytes stage 0 work unit {@code index} of a job with this salt stores. */
    public static byte[] part(String salt, long index) {
        return (salt + " part " + index + " ").repeat(100).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AppInfo info() {
        return new AppInfo(NAME, "1", "test only: passes blobs from stage 0 to stage 1",
                List.of(ParamSpec.integer("parts", "stage 0 work units").withRange(1.0, 100.0),
                        ParamSpec.string("salt", "makes this job's parts differ from other jobs'")));
    }

    @Override
    public StagePlan split(JobParams params) {
        byte[] salt = params.getString("salt").getBytes(StandardCharsets.UTF_8);
        return StagePlan.of(params.getLong("parts"), i -> new WorkUnitSpec(salt, 1));
    }

    @Override
    public Optional<StagePlan> nextStage(JobParams params, int completedStage, Stream<CanonicalOutput> outputs) {
        if (completedStage == 1) {
            return Optional.empty();
        }
        List<String> ids = outputs.map(o -> new String(o.output(), StandardCharsets.US_ASCII)).toList();
        return Optional.of(StagePlan.of(1, i -> new WorkUnitSpec(new byte[0], 1, ids)));
    }

    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        if (workUnit.stage() == 0) {
            context.output().write(context.storeBlob(part(new String(workUnit.input(), StandardCharsets.UTF_8), workUnit.index())).getBytes(StandardCharsets.US_ASCII));
        } else {
            long total = 0;
            for (String id : workUnit.blobs()) {
                total += context.blobSize(id);
            }
            context.output().write(Long.toString(total).getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        return Map.of("total", Long.parseLong(new String(outputs.findFirst().orElseThrow().output(),
                StandardCharsets.US_ASCII)));
    }
}
