package dev.starling.worker.testing;

import dev.starling.sdk.Apps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the worker-level tests share: a {@link FakeCoordinator} on a loopback port, the {@link Gates} their
 * {@link TestApp} tasks wait at, and the workers a test starts against it on its work dir, all stopped after the
 * test. Register one per test instance:
 *
 * <pre>{@code
 * @TempDir Path workDir;
 * @RegisterExtension final WorkerFixture fixture = new WorkerFixture(() -> workDir);
 * }</pre>
 */
public final class WorkerFixture implements AfterEachCallback {
    private final Supplier<Path> workDir;
    private final Gates gates = new Gates();
    private FakeCoordinator coordinator;
    private final List<WorkerHarness> workers = new ArrayList<>();

    /** @param workDir the work dir of the workers (the test's {@code @TempDir}, asked for once a worker starts) */
    public WorkerFixture(Supplier<Path> workDir) {
        this.workDir = workDir;
        try {
            this.coordinator = new FakeCoordinator();
        } catch (IOException e) {
            throw new UncheckedIOException("the fake coordinator did not start", e);
        }
    }

    public FakeCoordinator coordinator() {
        return coordinator;
    }

    /**
     * Puts {@code other} (one granting other timings, say) in the place of the coordinator, before any worker starts;
     * the first one is closed, this one is closed after the test.
     */
    public FakeCoordinator useCoordinator(FakeCoordinator other) {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("workers run against the coordinator already");
        }
        coordinator.close();
        coordinator = other;
        return other;
    }

    public Gates gates() {
        return gates;
    }

    /** A worker against the coordinator, on the work dir, running {@link TestApp} at the gates; not started yet. */
    public WorkerHarness.Builder worker() {
        return WorkerHarness.builder(coordinator, workDir.get()).apps(Apps.of(new TestApp(gates)));
    }

    /** Starts {@code worker}; it is stopped after the test. */
    public WorkerHarness start(WorkerHarness.Builder worker) {
        WorkerHarness started = worker.start();
        workers.add(started);
        return started;
    }

    /** Starts {@link #worker()} as {@code setting} leaves it. */
    public WorkerHarness start(UnaryOperator<WorkerHarness.Builder> setting) {
        return start(setting.apply(worker()));
    }

    /** Starts {@link #worker()}. */
    public WorkerHarness start() {
        return start(worker());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        workers.forEach(WorkerHarness::close);
        coordinator.close();
    }
}
