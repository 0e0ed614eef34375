package dev.starling.worker.internal;

import dev.starling.sdk.Apps;
import dev.starling.worker.data.SwarmFetcher;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the worker daemon: registers, then polls, fetches inputs, computes, heartbeats, reports and
 * announces the blobs it holds (serving them to peers all along) until it is asked to stop or the coordinator
 * refuses its protocol. Stopping stops pulling work, lets running tasks finish
 * within the grace period, gives the rest back, reports what it holds (for a bounded time) and closes
 * the connection. A worker runs once.
 */
public final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final WorkerConfig config;
    private final Tuning tuning;
    private final Apps apps;
    private final Clock clock;
    private final RandomGenerator random;
    private final Lifecycle lifecycle = new Lifecycle();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    public Worker(WorkerConfig config, Tuning tuning, Apps apps, Clock clock) {
        this(config, tuning, apps, clock, new SecureRandom());
    }

    Worker(WorkerConfig config, Tuning tuning, Apps apps, Clock clock, RandomGenerator random) {
        this.config = config;
        this.tuning = tuning;
        this.apps = apps;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Runs the worker on the calling thread until it stops.
     *
     * @throws ProtocolTooOldException when the coordinator refuses this worker's protocol version
     * @throws RefusedException when the coordinator refuses the account key or bans the host
     * @throws UncheckedIOException when the work directory cannot be used
     * @throws InterruptedException when the calling thread is interrupted (the worker stops first)
     */
    public void run() throws InterruptedException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a worker runs once");
        }
        try {
            log.info("Starling worker {} started: coordinator {} ({}), name {}, {} cores, apps {}",
                    HostInfo.workerVersion(), config.coordinator(), config.tls(), config.name(), config.cores(),
                    apps.names());
            if (apps.names().isEmpty()) {
                log.warn("No apps are installed: this worker will not be given tasks");
            }
            IdentityStore store = new IdentityStore(config.workDir());
            store.prepare();
            try (DataPlane data = DataPlane.open(config, tuning, clock)) {
                ManagedChannel channel = Grpc.newChannelBuilderForAddress(config.coordinator().host(),
                                config.coordinator().port(), config.tls().credentials())
                        .maxInboundMessageSize(tuning.maxInboundMessageBytes())
                        .intercept(new ProtocolInterceptor())
                        .build();
                try {
                    runOn(channel, store, data);
                } finally {
                    close(channel);
                }
            }
            RuntimeException failure = lifecycle.failure();
            if (failure != null) {
                throw failure;
            }
        } finally {
            terminated.countDown();
        }
    }

    /** Asks the worker to stop; returns at once. */
    public void requestStop() {
        lifecycle.stop();
    }

    /** Waits up to {@code timeout} for {@link #run} to end; true when it has (or never started). */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return !started.get() || terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Asks the worker to stop and waits until it has (bounded by the grace period and the flush time). */
    public boolean stop() throws InterruptedException {
        requestStop();
        return awaitTermination(config.gracePeriod()
                .plus(tuning.reportFlushTimeout())
                .plus(tuning.channelCloseTimeout().multipliedBy(4)) // the coordinator's channel, the peer server
                .plus(tuning.callTimeout()));
    }

    /** The parts that run once the worker is registered. */
    private record Machinery(RunningTasks tasks, PendingResults pending, Stats stats, TaskExecutor executor,
            Poller poller, Heartbeater heartbeater, Reporter reporter, Announcer announcer) {}

    private void runOn(ManagedChannel channel, IdentityStore store, DataPlane data) throws InterruptedException {
        CoordinatorClient client = new CoordinatorClient(channel, tuning);
        Session session = new Session(client, store, config.coordinator(),
                HostInfo.describe(config, apps, data.peerAddress()), tuning.defaultHeartbeatInterval(), data::registered);
        if (!register(session)) {
            log.info("Stopped before registering");
            return;
        }
        ExecutorService taskThreads = Executors.newFixedThreadPool(config.cores(), new NamedThreads("starling-task"));
        ScheduledExecutorService summary = Executors.newSingleThreadScheduledExecutor(new NamedThreads("starling-summary"));
        Machinery m = assemble(client, session, taskThreads, data, data.startFetching(channel, session));
        long summaryMillis = tuning.summaryInterval().toMillis();
        summary.scheduleAtFixedRate(m.stats()::logIfChanged, summaryMillis, summaryMillis, TimeUnit.MILLISECONDS);
        boolean interrupted = false;
        try {
            m.announcer().start();
            m.reporter().start();
            m.heartbeater().start();
            m.poller().start();
            try {
                lifecycle.awaitStop();
            } catch (InterruptedException e) {
                interrupted = true;
            }
            shutDown(m);
        } finally {
            taskThreads.shutdownNow();
            summary.shutdownNow();
            log.info("Stopped: {}", m.stats().summary());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Machinery assemble(CoordinatorClient client, Session session, ExecutorService taskThreads, DataPlane data,
            SwarmFetcher fetcher) {
        RunningTasks tasks = new RunningTasks();
        PendingResults pending = new PendingResults();
        Slots slots = new Slots(config.cores());
        Stats stats = new Stats(tasks::count, pending::size, data::summary);
        TaskExecutor executor = new TaskExecutor(taskThreads, runner(fetcher), tasks, slots, pending, stats,
                data.cache(), clock);
        return new Machinery(tasks, pending, stats, executor,
                new Poller(client, session, slots, executor, lifecycle, backoff(), tuning.minPollInterval(), clock),
                new Heartbeater(client, session, tasks, executor, lifecycle),
                new Reporter(client, session, pending, lifecycle, backoff(), tuning.reportBatchSize(),
                        tuning.reportBatchBytes()),
                new Announcer(client, session, data.announcements(), data.cache(), lifecycle, backoff()));
    }

    /**
     * Stops pulling work, lets running tasks finish within the grace period, gives the rest back and reports
     * what is pending, for a bounded time. After a fatal failure there is no point in waiting or reporting.
     */
    private void shutDown(Machinery m) throws InterruptedException {
        boolean failed = lifecycle.failure() != null;
        log.info("Shutting down: {} tasks running{}", m.tasks().count(),
                failed ? "" : ", grace period " + config.gracePeriod().toMillis() + " ms");
        m.poller().stop(tuning.callTimeout());
        if (!failed && !m.tasks().awaitNone(config.gracePeriod())) {
            log.info("{} tasks did not finish within the grace period; giving them back", m.tasks().count());
        }
        m.executor().giveBackAll("the worker is shutting down");
        m.tasks().awaitNone(tuning.callTimeout()); // a task settling right now queues its result first
        m.heartbeater().stop(tuning.callTimeout());
        if (!failed) {
            m.reporter().hurry();
            if (!m.pending().awaitEmpty(tuning.reportFlushTimeout())) {
                log.warn("{} results could not be reported before exit; the coordinator reissues their tasks when "
                        + "their leases end", m.pending().size());
            }
        }
        m.reporter().stop(tuning.callTimeout());
        m.announcer().stop(tuning.callTimeout());
    }

    /** Registers, retrying while the coordinator cannot be reached; false when the worker stopped meanwhile. */
    private boolean register(Session session) throws InterruptedException {
        Backoff backoff = backoff();
        CallFailures failures = new CallFailures("Registering", session, lifecycle, lifecycle::isStopping);
        while (!lifecycle.isStopping()) {
            try {
                session.register();
                return true;
            } catch (RuntimeException e) {
                if (failures.failed(e) == CallFailures.Next.STOP || lifecycle.awaitStop(backoff.next())) {
                    return false;
                }
            }
        }
        return false;
    }

    private TaskRunner runner(SwarmFetcher fetcher) {
        TaskRunner runner = new InputFetchingRunner(fetcher, new InProcessTaskRunner(apps, tuning.maxOutputBytes()));
        if (config.fault().equals(Optional.of(Fault.WRONG_OUTPUT))) {
            log.warn("Injecting fault '{}': this worker reports wrong outputs on purpose", Fault.WRONG_OUTPUT.option());
            runner = new WrongOutputRunner(runner);
        }
        return runner;
    }

    private Backoff backoff() {
        return new Backoff(tuning.backoffInitial(), tuning.backoffMax(), random);
    }

    private void close(ManagedChannel channel) {
        long timeout = tuning.channelCloseTimeout().toMillis();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(timeout, TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(timeout, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
