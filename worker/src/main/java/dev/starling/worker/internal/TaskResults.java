package dev.starling.worker.internal;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.TaskResult;
import dev.starling.sdk.ContentAddress;
import java.time.Duration;

/** Turns how a task ended into the {@link TaskResult} the coordinator is sent. */
final class TaskResults {
    private TaskResults() {}

    static TaskResult of(long resultId, TaskOutcome outcome) {
        return switch (outcome) {
            case TaskOutcome.Succeeded s -> success(resultId, s.output(), s.cpuTime());
            case TaskOutcome.Failed f -> failure(resultId, Failure.Kind.COMPUTE_ERROR, f.message(), f.cpuTime());
            case TaskOutcome.Cancelled c -> failure(resultId, Failure.Kind.GIVEN_BACK, "task cancelled", c.cpuTime());
        };
    }

    static TaskResult givenBack(long resultId, String why) {
        return failure(resultId, Failure.Kind.GIVEN_BACK, why, Duration.ZERO);
    }

    private static TaskResult success(long resultId, byte[] output, Duration cpuTime) {
        return TaskResult.newBuilder()
                .setResultId(resultId)
                .setSuccess(Success.newBuilder()
                        .setOutput(ByteString.copyFrom(output))
                        .setOutputHash(ContentAddress.of(output))
                        .setOutputSize(output.length))
                .setCpuTimeMillis(cpuTime.toMillis())
                .build();
    }

    private static TaskResult failure(long resultId, Failure.Kind kind, String message, Duration cpuTime) {
        return TaskResult.newBuilder()
                .setResultId(resultId)
                .setFailure(Failure.newBuilder().setKind(kind).setMessage(message))
                .setCpuTimeMillis(cpuTime.toMillis())
                .build();
    }
}
