package dev.starling.worker.tasks;

import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Task;
import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import dev.starling.sdk.WorkUnit;
import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.control.CpuLimit;
import dev.starling.worker.control.Pacer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/** Runs a task by calling its app's {@code compute} on the calling thread, in the worker's own JVM. */
public final class InProcessTaskRunner implements TaskRunner {
    private static final int MAX_MESSAGE_CHARS = 2000;
    /** How much unused CPU share a paced task may save up: a second's worth. */
    private static final long PACING_WINDOW_NANOS = 1_000_000_000L;

    private final Apps apps;
    private final int maxOutputBytes;
    private final Clock clock;
    private final Duration checkpointInterval;
    private final ComputeGate gate;
    private final CpuLimit cpuLimit;
    private final Semaphore cores;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /**
     * @param checkpointInterval how long after a task's start or last checkpoint the next is due
     * @param gate where tasks wait before they start and while computing is suspended
     * @param cpuLimit the share of its thread's time a task may compute now ({@code --cpu-limit} while the computer
     *     is in use, {@code --cpu-limit-idle} while it is idle)
     * @param cores one permit per core: a task computes holding one (the others of the work buffer wait)
     */
    public InProcessTaskRunner(Apps apps, int maxOutputBytes, Clock clock, Duration checkpointInterval, ComputeGate gate,
            CpuLimit cpuLimit, Semaphore cores) {
        this.cores = cores;
        this.apps = apps;
        this.maxOutputBytes = maxOutputBytes;
        this.clock = clock;
        this.checkpointInterval = checkpointInterval;
        this.gate = gate;
        this.cpuLimit = cpuLimit;
    }

    @Override
    public TaskOutcome run(RunningTask running) {
        Task task = running.task();
        Optional<App> app = apps.find(task.getApp());
        if (app.isEmpty()) {
            return new TaskOutcome.Failed("app " + task.getApp() + " is not installed on this worker", Duration.ZERO);
        }
        if (running.isCancelled()) {
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        WorkUnit workUnit;
        try {
            workUnit = new WorkUnit(task.getStage(), task.getIndex(), task.getInput().toByteArray(),
                    task.getInputsList().stream().map(BlobSource::getBlobId).toList());
        } catch (IllegalArgumentException e) {
            return new TaskOutcome.Failed("malformed task: " + e.getMessage(), Duration.ZERO);
        }
        return onCore(running, () -> compute(running, app.get(), workUnit));
    }

    /**
     * Runs {@code compute} holding a core, once the gate lets the task start: not while computing is suspended, nor
     * while tasks fill the memory limit.
     */
    TaskOutcome onCore(RunningTask running, Supplier<TaskOutcome> compute) {
        try {
            cores.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        try {
            gate.awaitStart();
            return compute.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskOutcome.Cancelled(Duration.ZERO);
        } finally {
            cores.release();
        }
    }

    /**
     * Where the calling thread, the one computing a task, waits while computing is suspended and sleeps to keep to
     * the CPU limit.
     */
    TaskPace pace() {
        Pacer pacer = new Pacer(cpuLimit::share, this::cpuNanos, System::nanoTime,
                nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)), PACING_WINDOW_NANOS);
        return new TaskPace(gate, pacer, Thread.currentThread());
    }

    /** Computes on a core the caller holds. */
    private TaskOutcome compute(RunningTask running, App app, WorkUnit workUnit) {
        InProcessTaskContext context = new InProcessTaskContext(running, maxOutputBytes, clock, checkpointInterval,
                pace());
        running.startsComputing(clock.instant());
        long cpuStart = cpuNanos();
        try {
            app.compute(workUnit, context);
            return ended(running, context, null, cpuSince(cpuStart));
        } catch (Throwable failure) {
            return ended(running, context, failure, cpuSince(cpuStart));
        }
    }

    private static TaskOutcome ended(RunningTask running, InProcessTaskContext context, Throwable failure, Duration cpu) {
        if (running.isCancelled()) {
            return new TaskOutcome.Cancelled(cpu);
        }
        BoundedOutputStream output = context.boundedOutput();
        if (output.overflowed()) {
            return new TaskOutcome.Failed(output.tooLargeMessage(), cpu);
        }
        if (failure != null) {
            return new TaskOutcome.Failed(message(failure), cpu);
        }
        return new TaskOutcome.Succeeded(output.toByteArray(), cpu, running.blobs().produced());
    }

    /** The exception's message, or its class when it has none; capped so a report stays small. */
    static String message(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            message = failure.getClass().getName();
        }
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    private long cpuNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
    }

    private Duration cpuSince(long start) {
        return Duration.ofNanos(Math.max(0, cpuNanos() - start));
    }
}
