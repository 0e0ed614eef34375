package dev.starling.worker.testing;

import dev.starling.sdk.Apps;
import dev.starling.wasm.signing.TrustedKeys;
import dev.starling.worker.Worker;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.control.Sensors;
import dev.starling.worker.control.UserActivity;
import dev.starling.worker.config.HostPort;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.peer.transfer.FetchTuning;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/** Runs a {@link Worker} on a thread of its own against a {@link FakeCoordinator}, with short timings. */
public final class WorkerHarness implements AutoCloseable {
    private final Worker worker;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    private WorkerHarness(Worker worker) {
        this.worker = worker;
        Thread thread = new Thread(() -> {
            try {
                worker.run();
                ended.complete(null);
            } catch (Throwable e) {
                ended.completeExceptionally(e);
            }
        }, "test-worker");
        thread.setDaemon(true);
        thread.start();
    }

    public static Builder builder(FakeCoordinator coordinator, Path workDir) {
        return new Builder(coordinator.address(), workDir);
    }

    /** A worker of the coordinator at {@code coordinator}, whatever serves there. */
    public static Builder builder(HostPort coordinator, Path workDir) {
        return new Builder(coordinator, workDir);
    }

    /** Timings a test can wait through quickly. */
    public static Tuning fastTuning() {
        return Tuning.builder()
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .callTimeout(Duration.ofSeconds(5))
                .pollDeadlineMargin(Duration.ofSeconds(5))
                .minPollInterval(Duration.ofMillis(10))
                .defaultHeartbeatInterval(Duration.ofMillis(50))
                .reportFlushTimeout(Duration.ofSeconds(5))
                .channelCloseTimeout(Duration.ofSeconds(2))
                .summaryInterval(Duration.ofMinutes(1))
                .fetch(fastFetching())
                .controlInterval(Duration.ofMillis(20))
                .build();
    }

    /** Fetch timings a test can wait through quickly. */
    public static FetchTuning fastFetching() {
        return FetchTuning.builder()
                .peerCallTimeout(Duration.ofSeconds(5))
                .chunkCallTimeout(Duration.ofSeconds(10))
                .haveRefreshInterval(Duration.ofMillis(50))
                .stallTimeout(Duration.ofMillis(500))
                .build();
    }

    public Worker worker() {
        return worker;
    }

    /** Completes when {@link Worker#run} returns, exceptionally when it throws. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    public void stop() throws InterruptedException {
        worker.stop();
        ended.join();
    }

    @Override
    public void close() {
        try {
            worker.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static final class Builder {
        private final HostPort coordinator;
        private final Path workDir;
        private Apps apps = Apps.of(new TestApp());
        private int cores = 2;
        private int wasmMemoryMiB = 256;
        private TrustedKeys appKeys = TrustedKeys.none();
        private Duration gracePeriod = Duration.ofSeconds(30);
        private Optional<Fault> fault = Optional.empty();
        private Tuning tuning = fastTuning();
        private DataPlaneConfig dataPlane = DataPlaneConfig.builder().cacheBytes(64L << 20).build();
        private Preferences preferences = Preferences.builder().workBuffer(Duration.ZERO).build();
        private Clock clock = Clock.systemUTC();
        /** no readings: nothing suspends tasks unless a test says so */
        private Sensors sensors = new Sensors(OptionalDouble::empty, UserActivity.UNKNOWN, () -> 0);

        private Builder(HostPort coordinator, Path workDir) {
            this.coordinator = coordinator;
            this.workDir = workDir;
        }

        public Builder apps(Apps value) {
            apps = value;
            return this;
        }

        public Builder cores(int value) {
            cores = value;
            return this;
        }

        /** The memory WebAssembly tasks may hold together, MiB (default 256); 0: none. */
        public Builder wasmMemoryMiB(int value) {
            wasmMemoryMiB = value;
            return this;
        }

        /** The project's keys deployed apps must be signed with (default: none, every deployed app runs). */
        public Builder appKeys(TrustedKeys value) {
            appKeys = value;
            return this;
        }

        public Builder gracePeriod(Duration value) {
            gracePeriod = value;
            return this;
        }

        public Builder fault(Fault value) {
            fault = Optional.of(value);
            return this;
        }

        public Builder tuning(Tuning value) {
            tuning = value;
            return this;
        }

        public Builder dataPlane(DataPlaneConfig value) {
            dataPlane = value;
            return this;
        }

        public Builder preferences(Preferences value) {
            preferences = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public Builder sensors(Sensors value) {
            sensors = value;
            return this;
        }

        public WorkerHarness start() {
            WorkerConfig config = WorkerConfig.builder(coordinator, workDir).name("test-host").cores(cores)
                    .wasmMemoryMiB(wasmMemoryMiB)
                    .appKeys(appKeys)
                    .gracePeriod(gracePeriod).fault(fault).dataPlane(dataPlane).preferences(preferences).build();
            return new WorkerHarness(new Worker(config, tuning, apps, clock, sensors));
        }
    }
}
