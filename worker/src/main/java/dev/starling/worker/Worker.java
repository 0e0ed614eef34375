package dev.starling.worker;

import dev.starling.proto.v1.Task;
import dev.starling.sdk.Apps;
import dev.starling.worker.config.AccountLayer;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.config.Setting;
import dev.starling.worker.config.Source;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.control.Controller;
import dev.starling.worker.control.CpuLimit;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.control.Sensors;
import dev.starling.worker.control.SuspendPolicy;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.fault.WrongOutputRunner;
import dev.starling.worker.journal.Journal;
import dev.starling.worker.peer.Announcer;
import dev.starling.worker.peer.DataPlane;
import dev.starling.worker.session.Backoff;
import dev.starling.worker.session.CallFailures;
import dev.starling.worker.session.Contact;
import dev.starling.worker.session.Controls;
import dev.starling.worker.session.CoordinatorClient;
import dev.starling.worker.session.Heartbeater;
import dev.starling.worker.session.IdentityStore;
import dev.starling.worker.session.Lifecycle;
import dev.starling.worker.session.Poller;
import dev.starling.worker.session.ProtocolInterceptor;
import dev.starling.worker.session.ProtocolTooOldException;
import dev.starling.worker.session.RefusedException;
import dev.starling.worker.session.Reporter;
import dev.starling.worker.session.Session;
import dev.starling.worker.session.WorkerDescription;
import dev.starling.worker.status.Status;
import dev.starling.worker.status.StatusServer;
import dev.starling.worker.support.NamedThreads;
import dev.starling.worker.tasks.AppSpeeds;
import dev.starling.worker.tasks.InProcessTaskRunner;
import dev.starling.worker.tasks.PeerPlane;
import dev.starling.worker.tasks.PendingResults;
import dev.starling.worker.tasks.RunningTask;
import dev.starling.worker.tasks.RunningTasks;
import dev.starling.worker.tasks.SignedAppRunner;
import dev.starling.worker.tasks.Slots;
import dev.starling.worker.tasks.Stats;
import dev.starling.worker.tasks.TaskExecutor;
import dev.starling.worker.tasks.TaskResults;
import dev.starling.worker.tasks.TaskRunner;
import dev.starling.worker.tasks.TransferCounter;
import dev.starling.worker.tasks.WasmTaskRunner;
import dev.starling.worker.tasks.WorkBuffer;
import dev.starling.worker.wasm.SignedApps;
import dev.starling.worker.wasm.WasmEngine;
import dev.starling.worker.wasm.WasmMemory;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the worker daemon: takes its work dir for itself, takes up what its journal holds, registers, then
 * polls (keeping a work buffer), fetches inputs, computes (as the volunteer's preferences allow: the control loop
 * suspends and resumes tasks), heartbeats, reports and announces the blobs it holds (serving them to peers all
 * along) until it is asked to stop or the coordinator refuses its protocol; its status socket answers
 * {@code starling worker status} all the while. Stopping stops pulling work, gives back the tasks that have not
 * started, asks running tasks for a checkpoint and gives them the grace period to save one or finish, keeps those
 * with a checkpoint in the journal (parked: the coordinator holds them for this host until their deadlines), gives
 * the rest back, reports what it holds (for a bounded time) and closes the connection. A worker runs once.
 */
public final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** Readings in a row at or below --busy-cpu that make a busy machine idle again. */
    private static final int QUIET_READINGS = 3;

    /** the configuration from the defaults, the config file and the command line alone */
    private final WorkerConfig own;
    /** with the account's layer over it: what the worker runs with and status shows */
    private volatile WorkerConfig config;
    private final AccountStore accountStore;
    private final Tuning tuning;
    private final Apps apps;
    private final Clock clock;
    private final RandomGenerator random;
    private final Sensors sensors;
    private final ComputeGate gate = new ComputeGate();
    private final Controls controls = new Controls(gate, this::accountPreferences);
    private final CpuLimit cpuLimit;
    private final Controller controller;
    private final Semaphore cores;
    private final WasmMemory wasmMemory;
    private final WasmEngine wasm = new WasmEngine();
    private final Contact contact;
    private volatile Session session; // for the status snapshot
    private volatile Machinery machinery; // for the status snapshot
    private final NetworkHours network;
    private final Lifecycle lifecycle = new Lifecycle();
    private final AtomicBoolean started = new AtomicBoolean();
    private WorkDirLock workDirLock; // guarded by this
    private final CountDownLatch terminated = new CountDownLatch(1);

    public Worker(WorkerConfig config, Tuning tuning, Apps apps, Clock clock) {
        this(config, tuning, apps, clock, Sensors.system());
    }

    /** @param sensors what the worker reads about the machine (tests give readings of their own) */
    public Worker(WorkerConfig config, Tuning tuning, Apps apps, Clock clock, Sensors sensors) {
        this(config, tuning, apps, clock, new SecureRandom(), sensors);
    }

    Worker(WorkerConfig config, Tuning tuning, Apps apps, Clock clock, RandomGenerator random, Sensors sensors) {
        this.own = config;
        this.accountStore = new AccountStore(config.workDir());
        // the account's preferences as the coordinator last sent them: a setting read only at start (cores) takes them
        this.config = AccountLayer.apply(config, accountStore.load()).config();
        config = this.config;
        this.tuning = tuning;
        this.apps = apps;
        this.clock = clock;
        this.random = random;
        this.sensors = sensors;
        this.network = new NetworkHours(config.preferences().networkHours(), clock, tuning.controlInterval());
        this.cores = new Semaphore(config.cores());
        this.wasmMemory = new WasmMemory(config.wasmMemoryMiB());
        this.contact = new Contact(clock);
        this.cpuLimit = new CpuLimit(config.preferences().cpuLimitPercent());
        this.controller = controller();
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
            log.info("Starling worker {} started: coordinator {} ({}), name {}, {}, apps {}, {}",
                    WorkerDescription.version(), config.coordinator(), config.tls(), config.name(),
                    count(config.cores(), "core"), apps.names(), config.wasmMemoryMiB() == 0 ? "no WebAssembly"
                            : config.wasmMemoryMiB() + " MiB for WebAssembly (deployed apps)");
            if (apps.names().isEmpty() && config.wasmMemoryMiB() == 0) {
                log.warn("No apps are installed: this worker will not be given tasks");
            }
            logManners();
            try (WorkDirLock lock = claimedWorkDir();
                    StatusServer status = StatusServer.start(config.workDir(), this::status)) {
                runLocked(new IdentityStore(config.workDir()));
            }
            RuntimeException failure = lifecycle.failure();
            if (failure != null) {
                throw failure;
            }
        } finally {
            wasm.close();
            terminated.countDown();
        }
    }

    /** How the worker shares the machine, at start: what a new install does, and what it cannot see. */
    private void logManners() {
        Preferences p = config.preferences();
        if (Math.min(p.cpuLimitPercent(), p.cpuLimitIdlePercent()) < 100
                && !java.lang.management.ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported()) {
            log.warn("This JVM cannot measure a thread's CPU time: --cpu-limit and --cpu-limit-idle have no effect");
        }
        if (gentle()) {
            log.info("A new install computes gently: on {}, at {}% CPU while the computer is in use and {}% while it is"
                    + " idle; {}",
                    count(config.cores(), "core"), p.cpuLimitPercent(), p.cpuLimitIdlePercent(),
                    NewInstall.HOW_TO_GIVE_MORE);
        }
        controller.tick(); // the first look: suspended from the start when the machine is busy or it is not time
        controller.last().ifPresent(first -> {
            if (!first.userSeen()) {
                log.info("Keyboard and mouse use cannot be seen here (no input devices, as under the systemd"
                        + " service): other programs' CPU use alone tells whether the computer is in use");
            }
            if (first.temperature().celsius().isEmpty() && p.maxCpuTempCelsius() > 0) {
                log.info("The CPU's temperature is {}: tasks never pause for heat", first.temperature().source());
            }
        });
    }

    /** The run, with the work dir to this worker alone: journal, data plane, the coordinator's channel. */
    private void runLocked(IdentityStore store) throws InterruptedException {
        Journal journal = Journal.open(config.workDir(), config.preferences().journalBytes(), clock);
        Journal.Recovered recovered = journal.recover();
        try (DataPlane data = DataPlane.open(config, tuning, clock)) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(config.coordinator().host(),
                            config.coordinator().port(), config.tls().credentials())
                    .maxInboundMessageSize(tuning.maxInboundMessageBytes())
                    .intercept(new ProtocolInterceptor())
                    .build();
            try {
                runOn(channel, store, data, journal, recovered);
            } finally {
                close(channel);
            }
        }
    }

    /** What {@code starling worker status} shows: a snapshot, taken on the status thread. */
    public Status status() {
        Session s = session;
        Machinery m = machinery;
        List<Status.TaskLine> lines = m == null ? List.of() : m.tasks().all().stream()
                .sorted(Comparator.comparingLong(RunningTask::resultId))
                .map(t -> new Status.TaskLine(t.resultId(), t.task().getApp(), t.task().getJobId(), t.progress(),
                        t.computeStarted().isPresent() ? Status.State.COMPUTING : Status.State.WAITING))
                .toList();
        return new Status(clock.instant(), WorkerDescription.version(), config.name(),
                s != null && s.isRegistered() ? s.identity().hostId() : 0, config.coordinator().toString(),
                contact.lastAnswer(), contact.failure(), contact.update(), contact.noWork(), contact.credit(),
                config.cores(), cpuLimit.percent(), wasmMemory.budgetMiB(), wasmMemory.inUseMiB(), gate.reason(),
                network.isOpen(),
                m == null ? 0 : m.stats().reportedToday(), m == null ? 0 : m.pending().size(), lines,
                settingLines(config), controller.last().map(this::machine).orElse(Status.Machine.NOT_YET));
    }

    /**
     * The settings as status shows them: those chosen on this machine or by the account, with where each came from,
     * then those the account may set that nothing set, at their defaults.
     */
    static List<Status.SettingLine> settingLines(WorkerConfig config) {
        List<Status.SettingLine> lines = new java.util.ArrayList<>(config.settings().stream()
                .map(c -> new Status.SettingLine(c.name(), c.value(), c.source().toString())).toList());
        java.util.Set<String> set = config.settings().stream().map(Setting::name)
                .collect(java.util.stream.Collectors.toSet());
        Preferences p = config.preferences();
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        defaults.put("cores", Integer.toString(config.cores()));
        defaults.put("cpu-limit", Integer.toString(p.cpuLimitPercent()));
        defaults.put("cpu-limit-idle", Integer.toString(p.cpuLimitIdlePercent()));
        defaults.put("idle-only", Boolean.toString(p.idleOnly()));
        defaults.put("compute-hours", p.computeHours().toString());
        defaults.put("network-hours", p.networkHours().toString());
        defaults.put("memory-limit", p.memoryLimitBytes() == 0 ? "no limit" : Long.toString(p.memoryLimitBytes()));
        defaults.put("disk-limit", "no limit");
        defaults.put("work-buffer", p.workBuffer().toSeconds() + "s");
        defaults.forEach((name, value) -> {
            if (!set.contains(name)) {
                lines.add(new Status.SettingLine(name, value, Source.DEFAULT.toString()));
            }
        });
        return lines;
    }

    private Status.Machine machine(SuspendPolicy.Verdict seen) {
        return new Status.Machine(seen.inUse(), seen.userSeen(), seen.temperature().celsius().orElse(Double.NaN),
                seen.temperature().source(), config.preferences().maxCpuTempCelsius(),
                gentle() ? Optional.of("a new install computes gently; " + NewInstall.HOW_TO_GIVE_MORE)
                        : Optional.empty());
    }

    /** Whether a new install's gentle settings are in force: some setting nobody set took one. */
    private boolean gentle() {
        return config.settings().stream().anyMatch(s -> s.source() == Source.NEW_INSTALL);
    }

    /**
     * Makes the work dir this worker's: creates it, open to its owner only, when there is none, and locks it
     * against a second worker. Called before anything writes to it (the logs), so that a worker refused here
     * leaves nothing behind; {@link #run} calls it when nobody has.
     *
     * @throws UncheckedIOException when it cannot be used, or another worker holds it
     */
    public void claimWorkDir() {
        claimedWorkDir();
    }

    private synchronized WorkDirLock claimedWorkDir() {
        if (workDirLock == null) {
            new IdentityStore(config.workDir()).prepare();
            workDirLock = WorkDirLock.acquire(config.workDir());
        }
        return workDirLock;
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
    private record Machinery(RunningTasks tasks, Slots slots, PendingResults pending, Stats stats, TaskExecutor executor,
            Poller poller, Heartbeater heartbeater, Reporter reporter, Announcer announcer) {}

    private void runOn(ManagedChannel channel, IdentityStore store, DataPlane data, Journal journal,
            Journal.Recovered recovered) throws InterruptedException {
        CoordinatorClient client = new CoordinatorClient(channel, tuning);
        Session session = new Session(client, store, config.coordinator(),
                WorkerDescription.describe(config, apps, data.peerAddress()), tuning.defaultHeartbeatInterval(),
                data::registered, contact);
        this.session = session;
        if (!register(session, client)) {
            log.info("Stopped before registering");
            return;
        }
        // a thread per task held: the running ones compute on a core each, the work buffer's wait for one
        ExecutorService taskThreads = Executors.newCachedThreadPool(new NamedThreads("starling-task"));
        ScheduledExecutorService summary = Executors.newSingleThreadScheduledExecutor(new NamedThreads("starling-summary"));
        data.startFetching(channel, session, network);
        Machinery m = assemble(client, session, taskThreads, data, journal);
        reinstate(recovered, m);
        this.machinery = m;
        long summaryMillis = tuning.summaryInterval().toMillis();
        summary.scheduleAtFixedRate(m.stats()::logIfChanged, summaryMillis, summaryMillis, TimeUnit.MILLISECONDS);
        boolean interrupted = false;
        try {
            // it runs even with nothing to watch yet: the volunteer's account may give it something
            controller.start();
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

    /** The parts around the data plane, which they see as a {@link PeerPlane} only. */
    private Machinery assemble(CoordinatorClient client, Session session, ExecutorService taskThreads, DataPlane data,
            Journal journal) {
        PeerPlane plane = data;
        RunningTasks tasks = new RunningTasks();
        PendingResults pending = new PendingResults(journal::forget);
        AppSpeeds speeds = AppSpeeds.open(config.workDir(), clock);
        WorkBuffer buffer = new WorkBuffer(config.cores(), config.preferences().workBuffer(), speeds);
        Slots slots = new Slots(buffer::capacity);
        Stats stats = new Stats(tasks::count, pending::size, plane::summary, clock);
        TaskExecutor executor = new TaskExecutor(taskThreads, runner(plane), tasks, slots, pending, stats, plane,
                journal, buffer, speeds, clock);
        return new Machinery(tasks, slots, pending, stats, executor,
                new Poller(client, session, slots, executor, lifecycle, backoff(client), tuning.minPollInterval(), clock,
                        network, gate, controls, tuning.controlInterval(), tuning.backoffMax()),
                new Heartbeater(client, session, tasks, executor, gate, controls, lifecycle),
                new Reporter(client, session, pending, lifecycle, backoff(client), tuning.reportBatchSize(),
                        tuning.reportBatchBytes(), network, stats),
                data.announcer(client, session, lifecycle, backoff(client), network));
    }

    private Controller controller() {
        Preferences p = config.preferences();
        return new Controller(policy(p), gate, cpuLimit, sensors.heapInUse(), p.memoryLimitBytes(),
                tuning.controlInterval(), clock);
    }

    private SuspendPolicy policy(Preferences p) {
        SuspendPolicy.Rules rules = new SuspendPolicy.Rules(p.computeHours(), p.idleOnly(), p.busyCpuPercent() / 100.0,
                p.busyGrace(), p.idleAfter(), p.cpuLimitPercent(), p.cpuLimitIdlePercent(), p.maxCpuTempCelsius());
        return new SuspendPolicy(rules, QUIET_READINGS, sensors.cpu(), sensors.user(), sensors.temperature());
    }

    /**
     * The volunteer's account preferences for this host's venue, as the coordinator sent them when they changed: kept
     * in the work dir (for the next start) and taken at once where they can be: the CPU limit (for tasks that start
     * computing from now on), idle-only and the compute hours, the network hours and the memory limit. The cores, the
     * work buffer and the disk limit are taken at the next start. Settings this machine's config file or command line
     * set explicitly keep their values.
     */
    private void accountPreferences(Map<String, String> account, String venue) {
        AccountLayer.Layered layered = AccountLayer.apply(own, account);
        WorkerConfig before = config;
        WorkerConfig next = layered.config();
        List<String> atNextStart = new java.util.ArrayList<>();
        if (next.cores() != before.cores()) {
            atNextStart.add("cores");
        }
        if (!next.preferences().workBuffer().equals(before.preferences().workBuffer())) {
            atNextStart.add("work-buffer");
        }
        if (next.preferences().journalBytes() != before.preferences().journalBytes()) {
            atNextStart.add("disk-limit");
        }
        // what is read only at start keeps its value until then, and status says so
        config = next.with(before.cores(), next.preferences().toBuilder().workBuffer(before.preferences().workBuffer())
                        .journalBytes(before.preferences().journalBytes()).build(),
                next.settings().stream().map(c -> atNextStart.contains(c.name())
                        ? new Setting(c.name(), c.value() + " from the next start", c.source()) : c).toList());
        try {
            accountStore.save(account);
        } catch (UncheckedIOException e) {
            log.warn("Could not keep your account's preferences in the work dir ({}); they are taken until the worker"
                    + " stops", e.getMessage());
        }
        Preferences p = config.preferences();
        controller.update(policy(p), p.memoryLimitBytes());
        network.hours(p.networkHours());
        log.info("Your account's preferences (venue {}): {}{}", venue.isEmpty() ? "default" : venue,
                layered.applied().isEmpty() ? "none set" : layered.applied(),
                atNextStart.isEmpty() ? "" : "; from the next start: " + atNextStart);
        layered.skipped().forEach((option, why) -> log.warn("Your account's {} is not taken: {}", option, why));
    }

    /**
     * Stops pulling work, gives running tasks the grace period to save a checkpoint or finish, parks those with a
     * checkpoint, gives the rest back and reports what is pending, for a bounded time. After a fatal failure there
     * is no point in waiting, parking or reporting.
     */
    private void shutDown(Machinery m) throws InterruptedException {
        boolean failed = lifecycle.failure() != null;
        log.info("Shutting down: {} held{}", count(m.tasks().count(), "task"),
                failed ? "" : "; those computing get up to " + config.gracePeriod().toMillis() + " ms to finish or"
                        + " save a checkpoint to resume from at the next start, the others are given back");
        m.poller().stop(tuning.callTimeout());
        m.executor().giveBackWaiting("the worker is shutting down");
        if (!failed) {
            m.executor().awaitCheckpointsOrEnd(config.gracePeriod(), gate::isSuspended);
            List<RunningTask> parked = m.executor().park();
            if (!parked.isEmpty()) {
                log.info("Keeping {} to resume from {} checkpoint{} at the next start", count(parked.size(), "task"),
                        parked.size() == 1 ? "its" : "their", parked.size() == 1 ? "" : "s");
                m.heartbeater().park(parked);
            }
            if (m.tasks().count() > 0) {
                log.info("{} saved no checkpoint within the grace period; giving them back",
                        count(m.tasks().count(), "task"));
            }
        }
        m.executor().giveBackAll("the worker is shutting down");
        m.tasks().awaitNone(tuning.callTimeout()); // a task settling right now queues its result first
        m.heartbeater().stop(tuning.callTimeout());
        controller.stop(tuning.callTimeout());
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

    /** "1 task", "3 tasks". */
    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * Takes up what the journal held when the worker started: finished results are queued for reporting,
     * unfinished tasks resume (from their checkpoints) while their deadlines allow and take slots like new ones,
     * the rest is given back.
     */
    private void reinstate(Journal.Recovered recovered, Machinery m) {
        if (!recovered.finished().isEmpty()) {
            log.info("The journal holds {} results not yet reported; reporting them", recovered.finished().size());
            recovered.finished().forEach(m.pending()::add);
        }
        for (long resultId : recovered.lost()) {
            m.pending().add(TaskResults.givenBack(resultId, "the worker's record of the task was damaged",
                    new TransferCounter()));
        }
        // the furthest along first: they take the cores, and the slots when there are fewer than tasks
        List<Journal.Unfinished> unfinished = recovered.unfinished().stream()
                .sorted(Comparator.comparingDouble((Journal.Unfinished u) ->
                        u.checkpoint().map(Journal.Checkpoint::progress).orElse(-1.0)).reversed())
                .toList();
        for (Journal.Unfinished u : unfinished) {
            Task task = u.task();
            if (task.getDeadlineEpochMillis() > 0 && clock.millis() >= task.getDeadlineEpochMillis()) {
                log.info("Task {} missed its deadline while the worker was down; giving it back", task.getResultId());
                m.pending().add(TaskResults.givenBack(task.getResultId(), "its deadline passed while the worker was down",
                        new TransferCounter()));
            } else if (!m.slots().tryAcquire()) {
                log.info("Task {} is given back: this worker now runs fewer tasks at once", task.getResultId());
                m.pending().add(TaskResults.givenBack(task.getResultId(), "the worker runs fewer tasks at once now",
                        new TransferCounter()));
            } else if (!m.executor().resume(task, u.checkpoint())) {
                m.slots().release(1);
            }
        }
    }

    /**
     * Registers, retrying while the coordinator cannot be reached; false when the worker stopped meanwhile. A host that
     * registered before first waits its share of {@code --start-spread}.
     */
    private boolean register(Session session, CoordinatorClient client) throws InterruptedException {
        Duration spread = startDelay(config.startSpread(), session.registeredBefore(), random);
        if (!spread.isZero()) {
            log.info("Calling the coordinator in {} ms (--start-spread {} ms: hosts started together spread their"
                    + " calls)", spread.toMillis(), config.startSpread().toMillis());
            if (lifecycle.awaitStop(spread)) {
                return false;
            }
        }
        Backoff backoff = backoff(client);
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

    /** How long a start waits before its first call: at random up to {@code spread}, or not at all on a first start. */
    static Duration startDelay(Duration spread, boolean registeredBefore, RandomGenerator random) {
        if (!registeredBefore || spread.isZero()) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(random.nextLong(spread.toMillis() + 1));
    }

    private TaskRunner runner(PeerPlane plane) {
        Preferences p = config.preferences();
        InProcessTaskRunner builtIn = new InProcessTaskRunner(apps, tuning.maxOutputBytes(), clock,
                p.checkpointInterval(), gate, cpuLimit, cores);
        TaskRunner runner = SignedAppRunner.of(new SignedApps(config.appKeys()), plane.fetchingInputs(
                new WasmTaskRunner(builtIn, wasm, wasmMemory, tuning.maxOutputBytes(), clock, p.checkpointInterval())));
        if (config.fault().equals(Optional.of(Fault.WRONG_OUTPUT))) {
            log.warn("Injecting fault '{}': this worker reports wrong outputs on purpose", Fault.WRONG_OUTPUT.option());
            runner = new WrongOutputRunner(runner);
        }
        return runner;
    }

    /** A backoff that also keeps to the coordinator's retry hints. */
    private Backoff backoff(CoordinatorClient client) {
        return new Backoff(tuning.backoffInitial(), tuning.backoffMax(), random, client::quietFor);
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
