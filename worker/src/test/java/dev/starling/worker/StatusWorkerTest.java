package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.proto.v1.NoWork;
import dev.starling.sdk.Apps;
import dev.starling.worker.session.Contact;
import dev.starling.worker.status.Status;
import dev.starling.worker.status.StatusClient;
import dev.starling.worker.status.StatusView;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerHarness;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
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
    void theCoordinatorsReasonForNoWorkIsLoggedOnceWhenItChangesAndShownByStatusUntilWorkComes() throws Exception {
        java.util.logging.Logger contactLog = java.util.logging.Logger.getLogger(Contact.class.getName());
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                    logged.add(r.getMessage()); // SLF4J formats the message before java.util.logging sees it
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level before = contactLog.getLevel();
        contactLog.setLevel(Level.INFO);
        contactLog.addHandler(capture);
        try (FakeCoordinator coordinator = new FakeCoordinator(50, 20)) { // short long polls: many empty answers
            coordinator.noWork(NoWork.newBuilder().setReason(NoWork.Reason.HAS_REPLICA)
                    .setMessage("what is queued has a replica on this host already").build());
            try (WorkerHarness worker = WorkerHarness.builder(coordinator, workDir).apps(Apps.of(new TestApp(gates)))
                    .gracePeriod(java.time.Duration.ZERO).start()) {
                until(() -> coordinator.workRequests().size() >= 10);

                assertThat(StatusClient.read(workDir).noWork())
                        .contains("what is queued has a replica on this host already (HAS_REPLICA)");
                assertThat(StatusView.render(StatusClient.read(workDir), java.time.Instant.now()))
                        .contains("Work         none came: what is queued has a replica on this host already");
                assertThat(logged).as("once, not at every poll").containsExactly(
                        "No work from the coordinator: what is queued has a replica on this host already (HAS_REPLICA)");

                coordinator.noWork(NoWork.newBuilder().setReasonValue(99) // a code this worker does not know
                        .setMessage("a newer coordinator's reason").build());
                int asked = coordinator.workRequests().size();
                until(() -> coordinator.workRequests().size() >= asked + 10);

                assertThat(StatusClient.read(workDir).noWork()).as("an unknown code: its words alone")
                        .contains("a newer coordinator's reason");
                assertThat(logged).hasSize(2).last()
                        .isEqualTo("No work from the coordinator: a newer coordinator's reason");

                coordinator.noWork(null); // its answers say nothing more: only a task clears the reason
                long id = coordinator.offer("block:w");
                until(() -> gates.hasStarted("w"));
                until(() -> StatusClient.read(workDir).noWork().isEmpty());
                assertThat(StatusClient.read(workDir).tasks()).extracting(Status.TaskLine::resultId).containsExactly(id);
            }
        } finally {
            contactLog.removeHandler(capture);
            contactLog.setLevel(before);
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
