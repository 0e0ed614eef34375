package dev.starling.worker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.TaskResult;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingResultsTest {

    private static TaskResult result(long id, int outputBytes) {
        return TaskResult.newBuilder()
                .setResultId(id)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(new byte[outputBytes])))
                .build();
    }

    @Test
    void batchesTheOldestResultsUpToACountAndAByteBudgetAndKeepsThemUntilSettled() throws Exception {
        PendingResults pending = new PendingResults();
        for (long id = 1; id <= 5; id++) {
            pending.add(result(id, 100));
        }

        assertThat(pending.awaitBatch(3, 10_000)).extracting(TaskResult::getResultId).containsExactly(1L, 2L, 3L);
        assertThat(pending.awaitBatch(10, 250)).extracting(TaskResult::getResultId).containsExactly(1L, 2L);
        assertThat(pending.size()).isEqualTo(5);

        pending.settle(1);
        pending.settle(2);
        assertThat(pending.awaitBatch(10, 10_000)).extracting(TaskResult::getResultId).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aResultLargerThanTheBudgetStillGoesAlone() throws Exception {
        PendingResults pending = new PendingResults();
        pending.add(result(1, 5000));
        pending.add(result(2, 10));

        assertThat(pending.awaitBatch(10, 1000)).extracting(TaskResult::getResultId).containsExactly(1L);
    }

    @Test
    void isEmptyOnceEverythingIsSettled() throws Exception {
        PendingResults pending = new PendingResults();
        pending.add(result(1, 1));
        assertThat(pending.awaitEmpty(Duration.ZERO)).isFalse();
        pending.settle(1);
        assertThat(pending.awaitEmpty(Duration.ZERO)).isTrue();
    }

    @Test
    void settlingAResultRunsWhatWasToHappenThenOnce() {
        PendingResults pending = new PendingResults();
        AtomicInteger released = new AtomicInteger();
        pending.add(result(1, 1), released::incrementAndGet);

        assertThat(released.get()).isZero();
        pending.settle(1);
        pending.settle(1);
        assertThat(released.get()).isEqualTo(1);
    }
}
