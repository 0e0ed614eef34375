package dev.starling.worker.tasks;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.BlobRef;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.TransferStats;
import dev.starling.sdk.ContentAddress;
import java.time.Duration;
import java.util.List;

/** Turns how a task ended into the {@link TaskResult} the coordinator is sent. */
public final class TaskResults {
    private TaskResults() {}

    /** @param transfer the bytes fetched for the task's inputs, whatever became of it */
    public static TaskResult of(long resultId, TaskOutcome outcome, TransferCounter transfer) {
        TaskResult.Builder result = switch (outcome) {
            case TaskOutcome.Succeeded s -> success(resultId, s.output(), s.produced());
            case TaskOutcome.Failed f -> failure(resultId, Failure.Kind.COMPUTE_ERROR, f.message(), List.of());
            case TaskOutcome.Cancelled c -> failure(resultId, Failure.Kind.GIVEN_BACK, "task cancelled", List.of());
            case TaskOutcome.InputUnavailable u ->
                    failure(resultId, Failure.Kind.INPUT_UNAVAILABLE, u.message(), u.missingBlobIds());
            case TaskOutcome.GivenBack g -> failure(resultId, Failure.Kind.GIVEN_BACK, g.message(), List.of());
        };
        return withTransfer(result.setCpuTimeMillis(outcome.cpuTime().toMillis()), transfer).build();
    }

    public static TaskResult givenBack(long resultId, String why, TransferCounter transfer) {
        return withTransfer(failure(resultId, Failure.Kind.GIVEN_BACK, why, List.of()).setCpuTimeMillis(Duration.ZERO.toMillis()),
                transfer).build();
    }

    private static TaskResult.Builder withTransfer(TaskResult.Builder result, TransferCounter transfer) {
        if (transfer.bytesFromPeers() > 0 || transfer.bytesFromCoordinator() > 0) {
            result.setTransfer(TransferStats.newBuilder()
                    .setBytesFromPeers(transfer.bytesFromPeers())
                    .setBytesFromCoordinator(transfer.bytesFromCoordinator()));
        }
        return result;
    }

    private static TaskResult.Builder success(long resultId, byte[] output, List<BlobRef> produced) {
        return TaskResult.newBuilder()
                .setResultId(resultId)
                .setSuccess(Success.newBuilder()
                        .setOutput(ByteString.copyFrom(output))
                        .setOutputHash(ContentAddress.of(output))
                        .setOutputSize(output.length)
                        .addAllProduced(produced));
    }

    private static TaskResult.Builder failure(long resultId, Failure.Kind kind, String message, List<String> missing) {
        return TaskResult.newBuilder()
                .setResultId(resultId)
                .setFailure(Failure.newBuilder().setKind(kind).setMessage(message).addAllMissingBlobIds(missing));
    }
}
