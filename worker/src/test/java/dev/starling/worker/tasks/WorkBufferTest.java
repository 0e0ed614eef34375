package dev.starling.worker.tasks;

import static dev.starling.worker.testing.Eventually.until;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import dev.starling.sdk.Apps;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.peer.CachedTaskBlobs;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.CacheListener;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.MutableClock;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The work buffer: how many tasks to hold, from how long tasks take here, and which ones would miss their deadline. */
class WorkBufferTest {
    private static final Instant NOW = Instant.parse("2025-06-02T12:00:00Z");

    @TempDir
    Path workDir;

    private AppSpeeds speeds(String... appSeconds) throws Exception {
        StringBuilder file = new StringBuilder();
        for (String line : appSeconds) {
            file.append(line).append('\n');
        }
        Files.writeString(workDir.resolve("speeds.properties"), file);
        return AppSpeeds.open(workDir, Clock.fixed(NOW, java.time.ZoneOffset.UTC));
    }

    private RunningTask held(long resultId, String app, double progress) {
        RunningTask t = new RunningTask(task(resultId, app, NOW.plusSeconds(3600)), NOW,
                new CachedTaskBlobs(BlobCache.open(workDir.resolve("blobs"), 1 << 20, CacheListener.NONE, Clock.systemUTC()),
                        List.of()));
        t.progress(progress);
        return t;
    }

    private static Task task(long resultId, String app, Instant deadline) {
        return costing(resultId, app, 0, deadline);
    }

    private static Task costing(long resultId, String app, double cost, Instant deadline) {
        return Task.newBuilder().setResultId(resultId).setApp(app).setInput(ByteString.EMPTY).setCost(cost)
                .setDeadlineEpochMillis(deadline.toEpochMilli()).build();
    }

    private static Task of(String app) {
        return task(0, app, NOW);
    }

    @Test
    void holdsOneTaskPerCoreUntilTheFirstIsMeasuredThenEnoughForTheBuffer() throws Exception {
        AppSpeeds none = speeds();
        assertThat(new WorkBuffer(2, Duration.ofMinutes(10), none).capacity()).isEqualTo(2);

        none.record(of("primes"), Duration.ofSeconds(60));

        // ten minutes of two cores' work at a minute a task: twenty more
        assertThat(new WorkBuffer(2, Duration.ofMinutes(10), none).capacity()).isEqualTo(2 + 20);
        assertThat(new WorkBuffer(2, Duration.ZERO, none).capacity()).as("no buffer").isEqualTo(2);
        assertThat(new WorkBuffer(2, Duration.ofDays(10), none).capacity()).as("capped")
                .isEqualTo(2 + WorkBuffer.MAX_QUEUED);
    }

    @Test
    void speedsAreAMovingAverageKeptAcrossRestarts() throws Exception {
        AppSpeeds speeds = speeds();
        speeds.record(of("primes"), Duration.ofSeconds(10));
        speeds.record(of("primes"), Duration.ofSeconds(20));

        assertThat(speeds.estimate(of("primes"))).hasValue(Duration.ofSeconds(13)); // 10 * 0.7 + 20 * 0.3
        assertThat(AppSpeeds.open(workDir, Clock.systemUTC()).estimate(of("primes"))).as("saved on the first record")
                .hasValue(Duration.ofSeconds(10));
    }

    @Test
    void aTaskWithACostIsEstimatedByItsCostNotByTheSizeOfTheAppsEarlierTasks() throws Exception {
        AppSpeeds speeds = speeds();
        speeds.record(costing(1, "primes", 2000, NOW), Duration.ofSeconds(10)); // 5 ms per unit of cost

        assertThat(speeds.estimate(costing(2, "primes", 20_000, NOW))).hasValue(Duration.ofSeconds(100));
        assertThat(speeds.estimate(of("primes"))).as("no cost: the app's time per task").hasValue(Duration.ofSeconds(10));
        assertThat(speeds.estimate(costing(3, "integrate", 5, NOW))).as("another app").isEmpty();
        assertThat(AppSpeeds.open(workDir, Clock.systemUTC()).estimate(costing(2, "primes", 20_000, NOW)))
                .as("kept across restarts").hasValue(Duration.ofSeconds(100));

        // a job of work units ten times bigger than the one measured: the first misses a deadline the small ones meet
        WorkBuffer buffer = new WorkBuffer(1, Duration.ofMinutes(10), speeds);
        assertThat(buffer.cannotFinish(costing(4, "primes", 2000, NOW.plusSeconds(60)), List.of(), NOW)).isEmpty();
        assertThat(buffer.cannotFinish(costing(5, "primes", 20_000, NOW.plusSeconds(60)), List.of(), NOW))
                .hasValueSatisfying(why -> assertThat(why).contains("in about 100 s"));
    }

    @Test
    void aSpeedsFileOfTimesPerTaskOnlyIsStillRead() throws Exception {
        assertThat(speeds("primes=8").estimate(costing(1, "primes", 1000, NOW))).as("no time per cost yet: per task")
                .hasValue(Duration.ofSeconds(8));
    }

    @Test
    void aDamagedSpeedsFileIsMeasuredAfresh() throws Exception {
        AppSpeeds speeds = speeds("primes=lots");
        assertThat(speeds.averageSeconds()).isEmpty();
    }

    @Test
    void aTaskThatWouldFinishAfterItsDeadlineBehindTheHeldOnesIsRefused() throws Exception {
        WorkBuffer buffer = new WorkBuffer(2, Duration.ofMinutes(10), speeds("primes=100", "slow=1000"));
        List<RunningTask> held = List.of(held(1, "primes", 0.5), held(2, "slow", 0.9), held(3, "primes", 0));
        // ahead: 50 + 100 + 100 = 250 s on two cores: 125 s, then 100 s of its own

        assertThat(buffer.cannotFinish(task(4, "primes", NOW.plusSeconds(226)), held, NOW)).isEmpty();
        assertThat(buffer.cannotFinish(task(4, "primes", NOW.plusSeconds(224)), held, NOW)).hasValueSatisfying(why ->
                assertThat(why).startsWith("this worker would finish it after its deadline (in about 225 s"));
        assertThat(buffer.cannotFinish(task(5, "unmeasured", NOW.plusSeconds(1)), held, NOW)).as("no estimate").isEmpty();
    }

    @Test
    void aWorkerWithAMeasuredAppAsksForItsBufferAndGivesBackWhatItCannotFinishInTime() throws Exception {
        speeds("test-app=60");
        Gates gates = new Gates();
        try (FakeCoordinator coordinator = new FakeCoordinator();
                WorkerHarness worker = WorkerHarness.builder(coordinator, workDir).apps(Apps.of(new TestApp(gates)))
                        .cores(1).preferences(Preferences.builder().workBuffer(Duration.ofMinutes(30)).build())
                        .start()) {
            until(() -> !coordinator.workRequests().isEmpty());
            assertThat(coordinator.workRequests().get(0).getMaxTasks()).as("one core, thirty one-minute tasks queued")
                    .isEqualTo(1 + 30);

            long soon = coordinator.offerDueIn("echo:too late", Duration.ofSeconds(30));
            until(() -> coordinator.accepted().containsKey(soon));
            assertThat(coordinator.accepted().get(soon).getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
            assertThat(coordinator.accepted().get(soon).getFailure().getMessage()).contains("after its deadline");

            long inTime = coordinator.offer("echo:fine");
            until(() -> coordinator.accepted().containsKey(inTime));
            assertThat(coordinator.accepted().get(inTime).hasSuccess()).isTrue();
        }
    }

    @Test
    void aWorkerThatGaveBackEveryTaskItWasSentWaitsBeforeAskingAgain() throws Exception {
        speeds("test-app=60");
        try (FakeCoordinator coordinator = new FakeCoordinator(50, 60_000); // a poll waits until a task comes
                WorkerHarness worker = WorkerHarness.builder(coordinator, workDir).apps(Apps.of(new TestApp(new Gates())))
                        .cores(1).preferences(Preferences.builder().workBuffer(Duration.ofMinutes(30)).build())
                        .tuning(WorkerHarness.fastTuning().toBuilder().backoff(Duration.ofMillis(5), Duration.ofHours(1))
                                .build())
                        .start()) {
            until(() -> coordinator.workRequests().size() == 1);

            long soon = coordinator.offerDueIn("echo:too late", Duration.ofSeconds(30));
            until(() -> coordinator.accepted().containsKey(soon));

            // asked again at once, it would be sent the same task again: a real coordinator puts it back in the pool
            org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> coordinator.workRequests().size() == 1);
        }
    }
}
