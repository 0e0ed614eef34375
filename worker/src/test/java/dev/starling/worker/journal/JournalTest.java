package dev.starling.worker.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path workDir;

    private Journal open() {
        return Journal.open(workDir, 0, Clock.systemUTC());
    }

    private static Task task(long resultId) {
        return Task.newBuilder().setResultId(resultId).setApp("test-app").setJobId(7)
                .setInput(ByteString.copyFromUtf8("echo:" + resultId)).build();
    }

    private static TaskResult result(long resultId) {
        return TaskResult.newBuilder().setResultId(resultId)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFromUtf8("out " + resultId))).build();
    }

    private Path entry(long resultId) {
        return workDir.resolve("tasks").resolve(Long.toString(resultId));
    }

    @Test
    void recoversFinishedResultsAndUnfinishedTasksWithTheirCheckpoints() throws Exception {
        Journal journal = open();
        journal.accepted(task(1));
        journal.accepted(task(2));
        journal.checkpoint(2, 0.4, "state-2".getBytes(StandardCharsets.UTF_8));
        journal.checkpoint(2, 0.6, "state-2b".getBytes(StandardCharsets.UTF_8));
        journal.accepted(task(3));
        journal.checkpoint(3, 0.9, new byte[] {1});
        journal.finished(result(3));
        journal.accepted(task(4));
        journal.finished(result(4));
        journal.forget(4);

        Journal.Recovered recovered = open().recover();

        assertThat(recovered.finished()).containsExactly(result(3));
        assertThat(recovered.unfinished()).hasSize(2).anySatisfy(u -> {
            assertThat(u.task()).isEqualTo(task(1));
            assertThat(u.checkpoint()).isEmpty();
        }).anySatisfy(u -> {
            assertThat(u.task()).isEqualTo(task(2));
            assertThat(u.checkpoint()).hasValueSatisfying(c -> {
                assertThat(c.progress()).isEqualTo(0.6);
                assertThat(new String(c.state(), StandardCharsets.UTF_8)).isEqualTo("state-2b");
            });
        });
        assertThat(recovered.lost()).isEmpty();
        assertThat(entry(4)).doesNotExist();
    }

    @Test
    void aDamagedResultIsMovedAsideAndTheTaskRunsAgainFromItsCheckpoint() throws Exception {
        Journal journal = open();
        journal.accepted(task(5));
        journal.checkpoint(5, 0.5, new byte[] {9});
        journal.finished(result(5));
        byte[] bytes = Files.readAllBytes(entry(5).resolve("result"));
        bytes[bytes.length / 2] ^= 1; // one bit flipped on disk
        Files.write(entry(5).resolve("result"), bytes);

        Journal.Recovered recovered = open().recover();

        assertThat(recovered.finished()).isEmpty();
        assertThat(recovered.unfinished()).singleElement().satisfies(u -> {
            assertThat(u.task().getResultId()).isEqualTo(5);
            assertThat(u.checkpoint()).isPresent();
        });
        assertThat(workDir.resolve("damaged")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("5-result-"));
    }

    @Test
    void aTaskWhoseRecordIsDamagedIsLostAndGivenBackNeverSilentlyDropped() throws Exception {
        Journal journal = open();
        journal.accepted(task(6));
        Files.write(entry(6).resolve("task"), "not a journal file at all".getBytes(StandardCharsets.UTF_8));
        journal.accepted(task(7));
        Files.write(entry(7).resolve("task"), new byte[] {0x53, 0x54}); // cut short

        Journal.Recovered recovered = open().recover();

        assertThat(recovered.lost()).containsExactlyInAnyOrder(6L, 7L);
        assertThat(recovered.unfinished()).isEmpty();
        assertThat(entry(6)).doesNotExist();
        assertThat(workDir.resolve("damaged")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("6-task-"));
    }

    @Test
    void aDamagedCheckpointMakesTheTaskStartOver() throws Exception {
        Journal journal = open();
        journal.accepted(task(8));
        journal.checkpoint(8, 0.5, new byte[] {1, 2, 3});
        Path checkpoint = entry(8).resolve("checkpoint");
        Files.write(checkpoint, java.util.Arrays.copyOf(Files.readAllBytes(checkpoint), 10));

        assertThat(open().recover().unfinished()).singleElement().satisfies(u -> assertThat(u.checkpoint()).isEmpty());
    }

    @Test
    void writesACrashCutShortLeaveNothingBehind() throws Exception {
        Journal journal = open();
        journal.accepted(task(9));
        journal.checkpoint(9, 0.3, new byte[] {1});
        // a checkpoint write that died before its rename, a removal that died after its rename, an entry whose task
        // file was never written
        Files.writeString(entry(9).resolve("checkpoint.tmp"), "half");
        Files.createDirectories(workDir.resolve("tasks").resolve("10.gone"));
        Files.writeString(workDir.resolve("tasks").resolve("10.gone").resolve("result"), "x");
        Files.createDirectories(entry(11));

        Journal.Recovered recovered = open().recover();

        assertThat(recovered.unfinished()).singleElement().satisfies(u -> {
            assertThat(u.task().getResultId()).isEqualTo(9);
            assertThat(u.checkpoint()).hasValueSatisfying(c -> assertThat(c.state()).containsExactly(1));
        });
        assertThat(recovered.lost()).isEmpty();
        assertThat(workDir.resolve("tasks")).isDirectoryNotContaining(p -> !p.getFileName().toString().equals("9"));
        assertThat(entry(9).resolve("checkpoint.tmp")).doesNotExist();
    }

    @Test
    void checkpointsBeyondTheBudgetAreRefusedButResultsNever() throws Exception {
        Journal journal = Journal.open(workDir, 1000, Clock.systemUTC());
        journal.accepted(task(12));
        journal.checkpoint(12, 0.1, new byte[200]);
        journal.checkpoint(12, 0.2, new byte[300]); // replaces the first: still within the budget

        assertThatThrownBy(() -> journal.checkpoint(12, 0.3, new byte[2000]))
                .isInstanceOf(Journal.JournalFullException.class).hasMessageContaining("part of --disk-limit");
        journal.finished(TaskResult.newBuilder().setResultId(12)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(new byte[5000]))).build());
        assertThat(journal.usedBytes()).isGreaterThan(5000);

        journal.forget(12);
        assertThat(journal.usedBytes()).isZero();
    }

    @Test
    void aJournalThatCannotBeUsedStopsTheWorkerWithAMessageSayingWhatToDo() throws Exception {
        Files.writeString(workDir.resolve("tasks"), "a file where the journal's directory belongs");

        assertThatThrownBy(this::open).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot use the task journal " + workDir.resolve("tasks"))
                .hasMessageContaining("The worker stops rather than lose the tasks and results it records");
    }

    @Test
    void forgettingATaskTheJournalNeverHeldDoesNothing() {
        open().forget(404);
        assertThat(workDir.resolve("tasks")).isEmptyDirectory();
    }
}
