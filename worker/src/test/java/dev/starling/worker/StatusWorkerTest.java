package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.sdk.Apps;
import dev.starling.worker.status.Status;
import dev.starling.worker.status.StatusClient;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerHarness;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a running worker tells over its status socket, and the one-worker-per-work-dir rule. */
class StatusWorkerTest {
    @TempDir
    Path workDir;

    private final Gates gates = new Gates();

    @Test
    void aRunningWorkerAnswersWithItsTasksAndTheirProgress() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator();
                WorkerHarness worker = WorkerHarness.builder(coordinator, workDir).apps(Apps.of(new TestApp(gates)))
                        .gracePeriod(java.time.Duration.ZERO) // the stop gives the blocked task back at once
                        .start()) {
            long id = coordinator.offer("block:b");
            until(() -> gates.hasStarted("b"));
            until(() -> !coordinator.heartbeats().isEmpty());

            Status status = StatusClient.read(workDir);

            assertThat(status.hostId()).isEqualTo(coordinator.registered().get(0).getHostId());
            assertThat(status.coordinator()).isEqualTo(coordinator.address().toString());
            assertThat(status.lastAnswer()).isPresent();
            assertThat(status.failure()).isEmpty();
            assertThat(status.credit()).isZero();
            assertThat(status.suspended()).isEmpty();
            assertThat(status.tasks()).singleElement().satisfies(t -> {
                assertThat(t.resultId()).isEqualTo(id);
                assertThat(t.app()).isEqualTo(TestApp.NAME);
                assertThat(t.progress()).isEqualTo(0.5);
                assertThat(t.state()).isEqualTo(Status.State.COMPUTING);
            });

            worker.stop();
            assertThat(workDir.resolve("status.sock")).as("removed on stop").doesNotExist();
        }
    }

    @Test
    void aWorkerTheCoordinatorCallsOldSaysWhatToInstall() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.updateNotice("a newer Starling worker is available: install Starling worker 9.9.9");
            try (WorkerHarness worker = WorkerHarness.builder(coordinator, workDir).start()) {
                until(() -> !coordinator.registered().isEmpty() && StatusClient.read(workDir).update().isPresent());

                assertThat(StatusClient.read(workDir).update()).contains(
                        "a newer Starling worker is available: install Starling worker 9.9.9");
            }
        }
    }

    @Test
    void withoutARunningWorkerStatusSaysSo() {
        assertThatThrownBy(() -> StatusClient.read(workDir)).isInstanceOf(StatusClient.NoWorkerException.class)
                .hasMessageContaining("no worker is running with the work dir " + workDir);
    }

    @Test
    void aSecondWorkerOnTheSameWorkDirIsRefused() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator();
                WorkerHarness first = WorkerHarness.builder(coordinator, workDir).start()) {
            until(() -> coordinator.registered().size() == 1);
            WorkerHarness second = WorkerHarness.builder(coordinator, workDir).start();

            assertThat(second.ended()).failsWithin(java.time.Duration.ofSeconds(30))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(UncheckedIOException.class)
                    .withMessageContaining("another worker is running with this work dir");
            assertThat(coordinator.registered()).hasSize(1);
            assertThat(Files.exists(workDir.resolve("status.sock"))).as("the first one's, untouched").isTrue();
        }
    }
}
