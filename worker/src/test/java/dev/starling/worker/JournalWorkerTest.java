package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.journal.Journal;
import dev.starling.worker.tasks.TaskOutcome;
import dev.starling.worker.tasks.TaskResults;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerFixture;
import dev.starling.worker.testing.WorkerHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker and its journal: checkpoints on disk as the app saves them, and what a worker that died leaves
 * behind taken up by the next one. (The end-to-end test kills a real worker process with SIGKILL.)
 */
class JournalWorkerTest {
    @TempDir
    Path workDir;

    @RegisterExtension
    final WorkerFixture fixture = new WorkerFixture(() -> workDir);
    private final FakeCoordinator coordinator = fixture.coordinator();
    private final Gates gates = fixture.gates();

    /** What a worker that died leaves in its journal. */
    private Journal journalOfADeadWorker() {
        return Journal.open(workDir, 0, Clock.systemUTC());
    }

    private static Task task(long resultId, String input, long deadlineEpochMillis) {
        return Task.newBuilder().setResultId(resultId).setWorkUnitId(5000 + resultId).setJobId(7).setApp(TestApp.NAME)
                .setInput(ByteString.copyFromUtf8(input)).setDeadlineEpochMillis(deadlineEpochMillis).build();
    }

    private Path entry(long resultId) {
        return workDir.resolve("tasks").resolve(Long.toString(resultId));
    }

    private long timesReported(long resultId) {
        return coordinator.reportCalls().stream().flatMap(r -> r.getResultsList().stream())
                .filter(r -> r.getResultId() == resultId).count();
    }

    @Test
    void aTaskIsInTheJournalWhileItRunsWithItsCheckpointAndIsGoneOnceItsResultIsAcknowledged() throws Exception {
        fixture.start();
        long id = coordinator.offer("checkpoint:cp:halfway there");
        until(() -> gates.hasStarted("cp"));

        assertThat(entry(id).resolve("task")).isRegularFile();
        assertThat(new String(Files.readAllBytes(entry(id).resolve("checkpoint")), StandardCharsets.UTF_8))
                .contains("halfway there");
        until(() -> coordinator.heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .anyMatch(p -> p.getResultId() == id && p.getFractionDone() == 0.4));

        gates.open("cp");
        until(() -> coordinator.accepted().containsKey(id));
        until(() -> !Files.exists(entry(id)));
        assertThat(coordinator.accepted().get(id).getSuccess().getOutput().toStringUtf8()).isEqualTo("fresh");
    }

    @Test
    void aTaskLeftUnfinishedByADeadWorkerResumesFromItsCheckpoint() throws Exception {
        Journal journal = journalOfADeadWorker();
        journal.accepted(task(41, "checkpoint:never:from scratch", System.currentTimeMillis() + 3_600_000));
        journal.checkpoint(41, 0.4, "halfway".getBytes(StandardCharsets.UTF_8));

        fixture.start();

        until(() -> coordinator.accepted().containsKey(41L));
        assertThat(coordinator.accepted().get(41L).getSuccess().getOutput().toStringUtf8()).isEqualTo("resumed from halfway");
        assertThat(gates.hasStarted("never")).as("not started over").isFalse();
        until(() -> !Files.exists(entry(41)));
    }

    @Test
    void withFewerSlotsThanUnfinishedTasksTheMostAdvancedResumeAndTheOthersAreGivenBack() throws Exception {
        Journal journal = journalOfADeadWorker();
        long deadline = System.currentTimeMillis() + 3_600_000;
        for (long id = 51; id <= 55; id++) {
            journal.accepted(task(id, "checkpoint:never:from scratch", deadline));
        }
        journal.checkpoint(54, 0.2, "a fifth".getBytes(StandardCharsets.UTF_8));
        journal.checkpoint(52, 0.7, "far along".getBytes(StandardCharsets.UTF_8));
        fixture.start(w -> w.cores(1).preferences(Preferences.builder().workBuffer(java.time.Duration.ZERO).build()));

        until(() -> coordinator.accepted().keySet().containsAll(List.of(51L, 52L, 53L, 54L, 55L)));
        assertThat(coordinator.accepted().get(52L).getSuccess().getOutput().toStringUtf8()).isEqualTo("resumed from far along");
        for (long id : List.of(51L, 53L, 54L, 55L)) {
            assertThat(coordinator.accepted().get(id).getFailure().getKind()).as("task %d", id).isEqualTo(Failure.Kind.GIVEN_BACK);
        }
    }

    @Test
    void aStoppingWorkerParksATaskWithACheckpointAndResumesItAtItsNextStartButGivesBackOneWithout() throws Exception {
        WorkerHarness first = fixture.start(w -> w.cores(2).gracePeriod(java.time.Duration.ofMillis(200)));
        long kept = coordinator.offer("checkpoint:never:a good part");
        long without = coordinator.offer("block:b");
        until(() -> gates.hasStarted("never") && gates.hasStarted("b") && Files.exists(entry(kept).resolve("checkpoint")));

        first.stop();

        assertThat(coordinator.heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == kept && p.getParked())).as("the coordinator is told").isNotEmpty();
        assertThat(coordinator.wasEverReported(kept)).as("neither reported nor given back").isFalse();
        assertThat(coordinator.accepted().get(without).getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(entry(kept)).isDirectory();
        assertThat(entry(without)).doesNotExist();

        fixture.start();

        until(() -> coordinator.accepted().containsKey(kept));
        assertThat(coordinator.accepted().get(kept).getSuccess().getOutput().toStringUtf8())
                .isEqualTo("resumed from a good part");
        until(() -> !Files.exists(entry(kept)));
    }

    @Test
    void resultsADeadWorkerFinishedAreReportedOnceAndNotComputedAgain() throws Exception {
        Journal journal = journalOfADeadWorker();
        journal.accepted(task(42, "gate:never:computed again", System.currentTimeMillis() + 3_600_000));
        TaskResult finished = TaskResults.of(42, new TaskOutcome.Succeeded("the answer".getBytes(StandardCharsets.UTF_8),
                java.time.Duration.ofSeconds(3), List.of()), new dev.starling.worker.tasks.TransferCounter());
        journal.finished(finished);

        fixture.start();

        until(() -> coordinator.accepted().containsKey(42L));
        until(() -> !Files.exists(entry(42)));
        assertThat(coordinator.accepted().get(42L)).isEqualTo(finished);
        assertThat(gates.hasStarted("never")).isFalse();
        long echo = coordinator.offer("echo:after"); // one more round trip: nothing else is coming for 42
        until(() -> coordinator.accepted().containsKey(echo));
        assertThat(timesReported(42)).isEqualTo(1);
    }

    @Test
    void aTaskWhoseDeadlinePassedWhileTheWorkerWasDownIsGivenBackUnrun() throws Exception {
        journalOfADeadWorker().accepted(task(43, "gate:never:too late", System.currentTimeMillis() - 1000));

        fixture.start();

        until(() -> coordinator.accepted().containsKey(43L));
        assertThat(coordinator.accepted().get(43L).getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(coordinator.accepted().get(43L).getFailure().getMessage()).contains("deadline passed");
        assertThat(gates.hasStarted("never")).isFalse();
    }

    @Test
    void aTaskWhoseRecordIsDamagedIsGivenBackAndTheDamageKept() throws Exception {
        journalOfADeadWorker().accepted(task(44, "gate:never:x", System.currentTimeMillis() + 3_600_000));
        Files.writeString(entry(44).resolve("task"), "scribbled over");

        fixture.start();

        until(() -> coordinator.accepted().containsKey(44L));
        assertThat(coordinator.accepted().get(44L).getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(workDir.resolve("damaged")).isNotEmptyDirectory();
    }
}
