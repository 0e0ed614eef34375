package dev.starling.worker.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.BlobRef;
import dev.starling.proto.v1.Task;
import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.Apps;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.control.CpuLimit;
import dev.starling.worker.peer.CachedTaskBlobs;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.CacheListener;
import dev.starling.worker.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessTaskRunnerTest {

    /** An app given as a lambda: what {@code compute} does. */
    private interface Body {
        void compute(WorkUnit workUnit, TaskContext context) throws Exception;
    }

    private static App app(Body body) {
        return new App() {
            @Override
            public AppInfo info() {
                return new AppInfo("lambda", "1", "a test app", List.of());
            }

            @Override
            public StagePlan split(JobParams params) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
                body.compute(workUnit, context);
            }

            @Override
            public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
                return Map.of();
            }
        };
    }

    @TempDir
    Path dir;

    private BlobCache cache;

    @BeforeEach
    void openCache() {
        cache = BlobCache.open(dir, 1 << 20, CacheListener.NONE, Clock.systemUTC());
    }

    private RunningTask task(String input) {
        return new RunningTask(Task.newBuilder().setResultId(1).setApp("lambda").setStage(1).setIndex(4)
                .setInput(ByteString.copyFromUtf8(input)).build(), Instant.EPOCH, new CachedTaskBlobs(cache, List.of()));
    }

    /** A runner that is never suspended nor paced, with cores for every task. */
    private static InProcessTaskRunner runner(Apps apps, int maxOutputBytes, Clock clock, Duration checkpointInterval) {
        return new InProcessTaskRunner(apps, maxOutputBytes, clock, checkpointInterval, new ComputeGate(), new CpuLimit(100),
                new Semaphore(Integer.MAX_VALUE));
    }

    private static TaskOutcome run(RunningTask task, Body body) {
        return runner(Apps.of(app(body)), 1024, Clock.systemUTC(), Duration.ofSeconds(60)).run(task);
    }

    @Test
    void givesTheAppItsWorkUnitAndKeepsProgressAndCheckpoints() {
        RunningTask task = task("in");
        TaskOutcome outcome = run(task, (wu, ctx) -> {
            assertThat(ctx.checkpoint()).isEmpty();
            ctx.progress(0.25);
            ctx.saveCheckpoint(new byte[] {1, 2});
            ctx.progress(7); // clamped
            ctx.output().write(("" + wu.stage() + wu.index() + new String(wu.input())).getBytes());
        });

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Succeeded.class,
                s -> assertThat(new String(s.output())).isEqualTo("14in"));
        assertThat(outcome.cpuTime()).isGreaterThanOrEqualTo(java.time.Duration.ZERO);
        assertThat(task.progress()).isEqualTo(1.0);
        assertThat(task.checkpoint()).hasValueSatisfying(c -> assertThat(c).containsExactly(1, 2));
    }

    @Test
    void aCheckpointIsDueOneIntervalAfterTheStartOrTheLastOne() {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        List<Boolean> due = new java.util.ArrayList<>();
        TaskOutcome outcome = runner(Apps.of(app((wu, ctx) -> {
            due.add(ctx.checkpointDue());
            clock.advance(java.time.Duration.ofSeconds(59));
            due.add(ctx.checkpointDue());
            clock.advance(java.time.Duration.ofSeconds(1));
            due.add(ctx.checkpointDue());
            ctx.saveCheckpoint(new byte[] {1});
            due.add(ctx.checkpointDue());
            clock.advance(java.time.Duration.ofSeconds(60));
            due.add(ctx.checkpointDue());
            assertThatThrownBy(() -> ctx.saveCheckpoint(new byte[TaskContext.MAX_CHECKPOINT_BYTES + 1]))
                    .isInstanceOf(IllegalArgumentException.class);
        })), 1024, clock, java.time.Duration.ofSeconds(60)).run(task("x"));

        assertThat(outcome).isInstanceOf(TaskOutcome.Succeeded.class);
        assertThat(due).containsExactly(false, false, true, false, true);
    }

    @Test
    void aTaskOpensOnlyTheBlobsItReadsOrStoredAndReportsWhatItStored() throws Exception {
        String someoneElses = cache.store(new ByteArrayInputStream("not yours".getBytes(StandardCharsets.UTF_8))).blobId();
        RunningTask task = task("x");

        TaskOutcome outcome = run(task, (wu, ctx) -> {
            assertThatThrownBy(() -> ctx.openBlob(someoneElses))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("blob " + someoneElses + " is not one this work unit reads or this task stored");
            String id = ctx.storeBlob("abc".getBytes(StandardCharsets.UTF_8));
            assertThat(ctx.storeBlob("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(id);
            try (InputStream in = ctx.openBlob(id)) {
                assertThat(in.readAllBytes()).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(ctx.blobSize(id)).isEqualTo(3);
            ctx.output().write(id.getBytes(StandardCharsets.UTF_8));
        });

        String id = ContentAddress.of("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Succeeded.class, s -> assertThat(s.produced())
                .containsExactly(BlobRef.newBuilder().setBlobId(id).setSize(3).build()));
        assertThat(cache.isComplete(id)).isTrue();
    }

    @Test
    void anExceptionWithoutAMessageIsNamedByItsClass() {
        TaskOutcome outcome = run(task("x"), (wu, ctx) -> {
            throw new NullPointerException();
        });
        assertThat(outcome).isEqualTo(new TaskOutcome.Failed("java.lang.NullPointerException", outcome.cpuTime()));
    }

    @Test
    void anOutputOverflowSwallowedByTheAppIsStillAnError() {
        TaskOutcome outcome = run(task("x"), (wu, ctx) -> {
            try {
                ctx.output().write(new byte[2048]);
            } catch (java.io.IOException ignored) {
                // a careless app
            }
        });
        assertThat(outcome).isInstanceOf(TaskOutcome.Failed.class);
    }

    @Test
    void aTaskCancelledBeforeItStartsIsNotComputed() {
        RunningTask task = task("x");
        task.cancel(RunningTask.CancelReason.SHUTDOWN);
        TaskOutcome outcome = run(task, (wu, ctx) -> {
            throw new AssertionError("must not run");
        });
        assertThat(outcome).isInstanceOf(TaskOutcome.Cancelled.class);
    }
}
