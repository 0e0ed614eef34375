package dev.starling.swarm.internal;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmCapability;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.proto.v1.WorkerServiceGrpc.WorkerServiceBlockingStub;
import dev.starling.samples.checksum.ChecksumApp;
import dev.starling.sdk.ContentAddress;
import dev.starling.swarm.Swarm;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated volunteer host, run by one virtual thread: signs up as a volunteer of its own (when the swarm has
 * a REST address), registers with the account key, then loops RequestWork (a long poll for
 * up to {@code cores} tasks) / compute / ReportResults (the whole batch in one call) until the swarm stops.
 * Computing a checksum task is cheap; {@code taskTime} adds a sleep per task, {@code cores} tasks at a time,
 * with heartbeats when a batch outlasts the heartbeat interval. Transient failures are retried with backoff;
 * every non-OK status is counted. A busy coordinator's answer (UNAVAILABLE with {@code grpc-retry-pushback-ms}, a 503
 * with {@code Retry-After}) is counted apart, not as an error, and retried as the worker does: after the hint plus a
 * random part as long again. A status that means this host can no longer take part (UNAUTHENTICATED,
 * FAILED_PRECONDITION, PERMISSION_DENIED) stops the host.
 */
final class SimulatedHost implements Runnable {
    static final int PROTOCOL_VERSION = 1;
    private static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_MARGIN = Duration.ofSeconds(15);
    private static final int DEFAULT_WAIT_MILLIS = 20_000;
    private static final int REPORT_ATTEMPTS = 8;
    /** the release first, as a worker's: a version that begins with no number counts as an old worker */
    private static final String VERSION = (SimulatedHost.class.getPackage().getImplementationVersion() == null ? "dev"
            : SimulatedHost.class.getPackage().getImplementationVersion()) + " (starling-swarm)";

    private final HostContext context;
    private final HostTally tally;
    private final WorkerServiceBlockingStub anonymous;
    /** the worker's own (Tuning.defaults: 250 ms doubling up to 30 s, full jitter), so that a herd behaves as workers do */
    private final Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));
    private WorkerServiceBlockingStub stub;
    private int waitMillis;
    private long heartbeatNanos;
    /** inputs this host said it holds (a deployed app's module): what a worker announces once it fetched them */
    private final Set<String> announced = new HashSet<>();
    /** the work unit of each task of the batch being computed and reported */
    private final Map<Long, Long> workUnitOf = new HashMap<>();
    /** a tandem follower: its leader asks for its work and tells the colluders what it got */
    private boolean handedWork;

    SimulatedHost(HostContext context, HostTally tally, Channel channel) {
        this.context = context;
        this.tally = tally;
        Metadata protocol = new Metadata();
        protocol.put(PROTOCOL, Integer.toString(PROTOCOL_VERSION));
        this.anonymous = WorkerServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(protocol));
    }

    @Override
    public void run() {
        try {
            if (!register()) {
                return;
            }
            Collusion.Tandem tandem = tally.colluder && context.collusion.strategy() == Swarm.Strategy.TANDEM
                    ? context.collusion.tandem(tally.index) : null;
            boolean follows = tandem != null && !context.collusion.leads(tally.index);
            if (follows) {
                tandem.partner = stub;
                handedWork = true;
            }
            while (!context.stopping()) {
                RequestWorkResponse work = follows ? handed(tandem) : requestWork(stub);
                if (tandem != null && !follows && tandem.partner != null && tandem.handed.isEmpty()
                        && !context.stopping()) {
                    // the partner's batch, asked for right after this one's answer: back-to-back requests; the pair
                    // sees both batches before either computes, as colluders comparing notes would
                    RequestWorkResponse partners = requestWork(tandem.partner);
                    if (partners != null) {
                        partners.getTasksList().forEach(t -> context.collusion.received(t.getWorkUnitId()));
                        tandem.handed.add(partners);
                    }
                }
                if (work != null && work.getTasksCount() > 0) {
                    report(compute(work.getTasksList()));
                    announce(work.getTasksList());
                }
            }
        } catch (HostStopped e) {
            context.metrics.stoppedHosts.increment();
            context.noteOnce("stopped:" + e.getMessage(), "host " + tally.index + " stops: " + e.getMessage()
                    + " (other hosts stopping for this reason are counted, not shown)");
        } catch (RuntimeException e) {
            context.metrics.stoppedHosts.increment();
            context.noteOnce("crash:" + e.getClass().getName(), "host " + tally.index + " stops on a bug: " + e);
        }
    }

    private boolean register() {
        if (context.api != null && !signUp()) {
            return false;
        }
        RegisterRequest.Builder request = RegisterRequest.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION)
                .setName("swarm-" + tally.index)
                .setCores(context.options.cores())
                .setMemoryBytes(8L << 30)
                .setOs(System.getProperty("os.name", "unknown"))
                .setArch(System.getProperty("os.arch", "unknown"))
                .setWorkerVersion(VERSION)
                .addApps(ChecksumApp.NAME)
                .setAccountKey(tally.accountKey == null ? "" : tally.accountKey);
        if (context.options.deployed()) {
            request.setWasm(WasmCapability.newBuilder().setMemoryMib(TrivialApp.MEMORY_MIB));
        }
        while (!context.stopping()) {
            try {
                RegisterResponse response = anonymous.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .register(request.build());
                Metadata auth = new Metadata();
                auth.put(AUTHORIZATION, "Bearer " + response.getHostToken());
                stub = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
                waitMillis = response.getMaxWaitMillis() > 0 ? response.getMaxWaitMillis() : DEFAULT_WAIT_MILLIS;
                heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(response.getHeartbeatIntervalMillis() > 0
                        ? response.getHeartbeatIntervalMillis() : 20_000);
                tally.hostId = response.getHostId();
                if (context.metrics.registered.incrementAndGet() == context.options.hosts()) {
                    context.metrics.allRegisteredAt = System.nanoTime();
                }
                backoff.reset();
                return true;
            } catch (StatusRuntimeException e) {
                Duration hinted = failed("Register", e);
                if (context.pause(longer(backoff.next(), hinted))) {
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * Signs up as a volunteer of this host's own, retrying while the coordinator cannot be reached; false when the
     * swarm stopped meanwhile. A refusal (sign-up by invitation only) stops the host.
     */
    private boolean signUp() {
        String name = "swarm-" + tally.index;
        Integer slot = null;
        if (tally.colluder && context.collusion.strategy() == Swarm.Strategy.ACCOUNTS) {
            // fresh accounts: the colluders join once the project is running, at most MAX_ACCOUNTS of them
            if (context.pause(context.options.warmup())) {
                return false;
            }
            slot = context.collusion.accountSlot(tally.index);
            if (context.collusion.rank(tally.index) >= Collusion.MAX_ACCOUNTS) {
                while (!context.collusion.accounts().containsKey(slot)) {
                    if (context.pause(Duration.ofMillis(100))) {
                        return false;
                    }
                }
                tally.accountKey = context.collusion.accounts().get(slot);
                return true;
            }
        }
        while (!context.stopping()) {
            try {
                tally.accountKey = context.api.signUp(name, name + "-" + UUID.randomUUID() + "@swarm.invalid");
                if (slot != null) {
                    context.collusion.accounts().put(slot, tally.accountKey);
                }
                backoff.reset();
                return true;
            } catch (CoordinatorApi.ApiException e) {
                if (e.retryAfter() != null) {
                    busy("sign-up", e.getMessage());
                    if (context.pause(longer(backoff.next(), spread(e.retryAfter())))) {
                        return false;
                    }
                    continue;
                }
                if (e.status() >= 400 && e.status() < 500) {
                    throw new HostStopped("the coordinator refused the volunteer sign-up: " + e.getMessage());
                }
                context.metrics.error(Status.Code.UNAVAILABLE);
                context.noteOnce("signup", "volunteer sign-up failed: " + e.getMessage()
                        + " (counted as UNAVAILABLE; further failures are counted, not shown)");
                if (context.pause(backoff.next())) {
                    return false;
                }
            }
        }
        return false;
    }

    /** A tandem follower's next batch, asked for by its leader; null when none came within a second. */
    private RequestWorkResponse handed(Collusion.Tandem tandem) {
        try {
            return tandem.handed.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One long poll with {@code stub}'s credentials; null when it failed or the swarm is stopping. */
    private RequestWorkResponse requestWork(WorkerServiceBlockingStub stub) {
        RequestWorkRequest request = RequestWorkRequest.newBuilder()
                .setMaxTasks(context.options.cores()).setWaitMillis(waitMillis).build();
        long deadline = waitMillis + POLL_MARGIN.toMillis();
        long start = System.nanoTime();
        try {
            RequestWorkResponse response = context.polls().call(
                    () -> stub.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS).requestWork(request));
            if (response.getTasksCount() > 0) {
                context.metrics.requestWorkLatency(System.nanoTime() - start);
            }
            backoff.reset();
            return response;
        } catch (StatusRuntimeException e) {
            if (context.stopping() && e.getStatus().getCode() == Status.Code.CANCELLED) {
                return null;
            }
            Duration hinted = failed("RequestWork", e);
            context.pause(longer(backoff.next(), hinted));
            return null;
        } catch (HostStopped e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("RequestWork failed", e);
        }
    }

    /**
     * Tells the tracker this host holds the inputs of its tasks, as a worker does once it fetched them (the simulated
     * host fetches nothing: the only inputs it gets are a deployed app's module, and the coordinator's cost of a
     * download once per host is not what the swarm measures). A failed call is tried again after the next batch.
     */
    private void announce(List<Task> tasks) {
        List<String> fresh = tasks.stream().flatMap(t -> t.getInputsList().stream()).map(BlobSource::getBlobId)
                .distinct().filter(b -> !announced.contains(b)).toList();
        if (fresh.isEmpty() || context.stopping()) {
            return;
        }
        try {
            stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .announceBlobs(AnnounceBlobsRequest.newBuilder().addAllHolding(fresh).build());
            announced.addAll(fresh);
        } catch (StatusRuntimeException e) {
            if (!(context.stopping() && e.getStatus().getCode() == Status.Code.CANCELLED)) {
                failed("AnnounceBlobs", e);
            }
        }
    }

    /**
     * Results for a batch: each task computed, in order, after the simulated task time. Tasks the coordinator
     * said to abandon are left out; tasks not finished when the swarm stops are given back.
     */
    private List<TaskResult> compute(List<Task> tasks) {
        Metrics metrics = context.metrics;
        if (tally.tasksReceived == 0 && !tasks.isEmpty() && metrics.working.incrementAndGet() == context.options.hosts()) {
            metrics.allWorkingAt = System.nanoTime();
        }
        for (Task task : tasks) {
            metrics.tasksReceived.increment();
            metrics.sent(task.getWorkUnitId());
            workUnitOf.put(task.getResultId(), task.getWorkUnitId());
            tally.received(task.getWorkUnitId());
            if (tally.colluder && !handedWork) {
                context.collusion.received(task.getWorkUnitId());
            }
            if (context.jobId != 0 && task.getJobId() != context.jobId) {
                metrics.foreignJobTasks.increment();
            }
        }
        Set<Long> abandoned = new HashSet<>();
        int finished = simulateTime(tasks, abandoned);
        List<TaskResult> results = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Task task = tasks.get(i);
            if (abandoned.contains(task.getResultId())) {
                metrics.abandoned.increment();
            } else if (i < finished) {
                results.add(result(task));
            } else {
                metrics.givenBack.increment();
                results.add(failure(task, Failure.Kind.GIVEN_BACK, "the swarm is stopping"));
            }
        }
        return results;
    }

    private TaskResult result(Task task) {
        if (context.options.deployed() && TrivialApp.isDeployed(task.getApp())) {
            if (tally.colluder && context.collusion.holdsQuorum(task.getWorkUnitId())) {
                context.collusion.wrongReported.increment();
                return success(task, TrivialApp.COLLUDING_OUTPUT);
            }
            return success(task, tally.wrong ? TrivialApp.wrongOutput(tally.index) : TrivialApp.honestOutput());
        }
        if (!task.getApp().equals(ChecksumApp.NAME)) {
            context.metrics.otherAppTasks.increment();
            context.noteOnce("app:" + task.getApp(), "received a task of app '" + task.getApp()
                    + "' (job " + task.getJobId() + "); the swarm only computes checksum and reports COMPUTE_ERROR");
            return failure(task, Failure.Kind.COMPUTE_ERROR, "the swarm only computes checksum");
        }
        long[] input = Outputs.decode(task.getInput().toByteArray());
        if (input == null) {
            context.metrics.malformedInputs.increment();
            context.noteOnce("input", "received a checksum task with a " + task.getInput().size()
                    + "-byte input (expected 16), job " + task.getJobId() + "; reported as COMPUTE_ERROR");
            return failure(task, Failure.Kind.COMPUTE_ERROR, "a checksum input has 16 bytes, this one "
                    + task.getInput().size());
        }
        if (tally.turncoat && tally.computed++ >= context.options.turncoatAfter()) {
            return success(task, Outputs.turncoat(input[0]));
        }
        return success(task, tally.wrong ? Outputs.wrong(tally.index, input[0]) : Outputs.honest(input[0], input[1]));
    }

    private TaskResult success(Task task, byte[] output) {
        return TaskResult.newBuilder()
                .setResultId(task.getResultId())
                .setSuccess(Success.newBuilder()
                        .setOutput(ByteString.copyFrom(output))
                        .setOutputHash(ContentAddress.of(output))
                        .setOutputSize(output.length))
                .setCpuTimeMillis(context.options.taskTime().toMillis())
                .build();
    }

    private static TaskResult failure(Task task, Failure.Kind kind, String message) {
        return TaskResult.newBuilder().setResultId(task.getResultId())
                .setFailure(Failure.newBuilder().setKind(kind).setMessage(message)).build();
    }

    /**
     * Sleeps as long as computing the batch would take, {@code cores} tasks at a time, heartbeating the unfinished
     * tasks every heartbeat interval.
     *
     * @return how many tasks (in order) finished; fewer than all when the swarm stopped meanwhile
     */
    private int simulateTime(List<Task> tasks, Set<Long> abandoned) {
        long taskNanos = context.options.taskTime().toNanos();
        if (taskNanos == 0) {
            return tasks.size();
        }
        int cores = context.options.cores();
        int waves = (tasks.size() + cores - 1) / cores;
        long start = System.nanoTime();
        long nextHeartbeat = start + heartbeatNanos;
        for (int wave = 0; wave < waves; wave++) {
            long end = start + (wave + 1) * taskNanos;
            for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                if (context.pause(Duration.ofNanos(Math.min(end, nextHeartbeat) - now))) {
                    return wave * cores;
                }
                long after = System.nanoTime();
                if (after >= nextHeartbeat && after < end) {
                    heartbeat(tasks, wave * cores, start, taskNanos, abandoned);
                    nextHeartbeat = after + heartbeatNanos;
                }
            }
        }
        return tasks.size();
    }

    private void heartbeat(List<Task> tasks, int firstUnfinished, long start, long taskNanos, Set<Long> abandoned) {
        int cores = context.options.cores();
        long now = System.nanoTime();
        HeartbeatRequest.Builder request = HeartbeatRequest.newBuilder();
        for (int i = firstUnfinished; i < tasks.size(); i++) {
            long resultId = tasks.get(i).getResultId();
            if (!abandoned.contains(resultId)) {
                long began = start + (i / cores) * taskNanos;
                double done = Math.clamp((double) (now - began) / taskNanos, 0.0, 1.0);
                request.addTasks(TaskProgress.newBuilder().setResultId(resultId).setFractionDone(done));
            }
        }
        try {
            HeartbeatResponse response = stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .heartbeat(request.build());
            abandoned.addAll(response.getAbandonResultIdsList());
        } catch (StatusRuntimeException e) {
            failed("Heartbeat", e);
        }
    }

    /** Reports the batch in one call, retrying transient failures; counts each ack. */
    private void report(List<TaskResult> results) {
        try {
            reportOnce(results);
        } finally {
            workUnitOf.clear();
        }
    }

    private void reportOnce(List<TaskResult> results) {
        if (results.isEmpty()) {
            return;
        }
        ReportResultsRequest request = ReportResultsRequest.newBuilder().addAllResults(results).build();
        Backoff retry = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        for (int attempt = 1, failures = 0; ; attempt++) {
            long start = System.nanoTime();
            try {
                ReportResultsResponse response = stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .reportResults(request);
                context.metrics.reportLatency(System.nanoTime() - start);
                count(results, response, attempt);
                return;
            } catch (StatusRuntimeException e) {
                Duration hinted = failed("ReportResults", e);
                if (hinted.isZero()) {
                    failures++; // a busy answer is retried for as long as it takes
                }
                if (!retryable(e.getStatus().getCode()) || failures >= REPORT_ATTEMPTS) {
                    context.metrics.droppedReports.increment();
                    context.noteOnce("dropped", "host " + tally.index + " dropped a batch of " + results.size()
                            + " results after " + attempt + " failed ReportResults calls (last: " + describe(e) + ")");
                    return;
                }
                sleep(longer(retry.next(), hinted));
            }
        }
    }

    /**
     * Counts the acks of a batch. A result is stored once: its ACCEPTED ack says "" when this call stored it, and
     * "already reported" when an earlier call did, which happens when a call failed (its answer lost) after the
     * coordinator committed. So a success counts as stored on "" or on a retry's "already reported"; "already
     * reported" on a batch's first call would mean the coordinator confuses results, and is counted as an anomaly.
     */
    private void count(List<TaskResult> results, ReportResultsResponse response, int attempt) {
        Map<Long, Boolean> success = new HashMap<>();
        for (TaskResult r : results) {
            success.put(r.getResultId(), r.hasSuccess());
        }
        Metrics metrics = context.metrics;
        for (ReportAck ack : response.getAcksList()) {
            boolean isSuccess = success.getOrDefault(ack.getResultId(), false);
            switch (ack.getStatus()) {
                case ACCEPTED -> {
                    if (isSuccess) {
                        metrics.resultsAccepted.increment();
                        if (ack.getMessage().isEmpty()) {
                            tally.storedResults++;
                            metrics.stored(workUnitOf.getOrDefault(ack.getResultId(), 0L), context.options.quorum());
                        } else if (attempt > 1) {
                            metrics.alreadyReported.increment();
                            tally.storedResults++;
                        } else {
                            metrics.alreadyReportedFirstTime.increment();
                            context.noteOnce("first-already", "host " + tally.index + ": result " + ack.getResultId()
                                    + " was answered '" + ack.getMessage() + "' on its first report (counted as an"
                                    + " anomaly)");
                        }
                    }
                }
                case NOT_NEEDED -> metrics.notNeeded.increment();
                case REJECTED -> {
                    metrics.rejected.increment();
                    context.noteOnce("rejected", "host " + tally.index + ": result " + ack.getResultId()
                            + " REJECTED: " + ack.getMessage() + " (further REJECTED acks are counted, not shown)");
                }
                default -> {
                    metrics.rejected.increment();
                    context.noteOnce("ack:" + ack.getStatus(), "host " + tally.index + ": ack status "
                            + ack.getStatus() + " for result " + ack.getResultId() + " (counted as REJECTED)");
                }
            }
        }
        if (response.getAcksCount() != results.size()) {
            context.noteOnce("ackcount", "a ReportResults answer had " + response.getAcksCount() + " acks for "
                    + results.size() + " results");
        }
    }

    /**
     * Counts a failed call and shows the first of its kind; throws {@link HostStopped} when this host cannot go on.
     * A busy answer (UNAVAILABLE with a retry hint) is counted apart, as retried; its hint is returned, spread (the
     * pause to keep to at least), else zero.
     */
    private Duration failed(String call, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        Duration hint = code == Status.Code.UNAVAILABLE ? hint(e.getTrailers()) : null;
        if (hint != null) {
            busy(call, describe(e));
            return spread(hint);
        }
        context.metrics.error(code);
        context.noteOnce(call + ":" + code, call + " failed: " + describe(e)
                + " (further " + code + " errors of " + call + " are counted, not shown)");
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.FAILED_PRECONDITION
                || code == Status.Code.PERMISSION_DENIED) {
            throw new HostStopped(call + " answered " + code);
        }
        return Duration.ZERO;
    }

    private void busy(String call, String answer) {
        context.metrics.busy(call);
        context.noteOnce("busy:" + call, call + " answered busy: " + answer + " (retried after the hint; further"
                + " busy answers are counted, not shown)");
    }

    /** The retry hint of a busy answer, or null. */
    private static Duration hint(Metadata trailers) {
        String value = trailers == null ? null : trailers.get(PUSHBACK);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofMillis(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The hint plus a random part as long again, as the worker waits: hosts turned away together come back apart. */
    private static Duration spread(Duration hint) {
        return hint.plusMillis(ThreadLocalRandom.current().nextLong(hint.toMillis() + 1));
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean retryable(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, RESOURCE_EXHAUSTED, ABORTED -> true;
            default -> false;
        };
    }

    private static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This host cannot take part any more (the coordinator forgot it, or refuses its protocol). */
    private static final class HostStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HostStopped(String message) {
            super(message, null, false, false);
        }
    }
}
