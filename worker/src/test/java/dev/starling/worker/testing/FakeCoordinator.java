package dev.starling.worker.testing;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.AnnounceBlobsResponse;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.HostControl;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.sdk.ContentAddress;
import dev.starling.worker.config.HostPort;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A coordinator for tests, on a real gRPC server on the loopback interface: registers hosts, hands out the
 * tasks a test offers (long polls wait for them), records everything the worker sends, and fails calls on
 * demand. It checks the protocol header and the bearer token like the real one. It signs fetch tokens with a
 * key of its own ({@link #grants()}) and serves blobs on its PeerService as the seed of last resort
 * ({@link #seed()}).
 */
public final class FakeCoordinator extends WorkerServiceGrpc.WorkerServiceImplBase implements AutoCloseable {
    private static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    /** Headers of one call. */
    public record Call(String method, String protocol, String authorization) {}

    private final Server server;
    private final AtomicLong nextHostId = new AtomicLong(100);
    private final AtomicLong nextResultId = new AtomicLong(1);
    private final Map<String, Long> hostsByToken = new ConcurrentHashMap<>();
    private final LinkedBlockingDeque<Task> tasks = new LinkedBlockingDeque<>();
    private final Queue<Long> abandonOnPoll = new ConcurrentLinkedQueue<>();
    private final Queue<Long> abandonOnHeartbeat = new ConcurrentLinkedQueue<>();
    private final AtomicInteger registrationsToFail = new AtomicInteger();
    private final AtomicInteger cancelledPolls = new AtomicInteger();
    private final AtomicInteger activePolls = new AtomicInteger();
    private volatile String refusedProtocolMessage;
    private volatile Status refusal;
    private volatile Status reportFailure;

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();
    private final List<RegisterResponse> registered = new CopyOnWriteArrayList<>();
    private final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    private final List<ReportResultsRequest> reportCalls = new CopyOnWriteArrayList<>();
    private final List<AnnounceBlobsRequest> announcements = new CopyOnWriteArrayList<>();
    private final List<RequestWorkRequest> workRequests = new CopyOnWriteArrayList<>();
    private final TestGrants grants = new TestGrants();
    private final FakeSeed seed = new FakeSeed(grants);
    private final Map<Long, TaskResult> accepted = new ConcurrentHashMap<>();

    private final int heartbeatMillis;
    private final int maxWaitMillis;
    private volatile String updateNotice = "";
    private volatile HostControl control; // null: none sent, as a coordinator from before HostControl
    private volatile NoWork noWork; // null: none sent, as a coordinator from before NoWork

    public FakeCoordinator() throws IOException {
        this(50, 200);
    }

    public FakeCoordinator(int heartbeatMillis, int maxWaitMillis) throws IOException {
        this.heartbeatMillis = heartbeatMillis;
        this.maxWaitMillis = maxWaitMillis;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(this, new HeaderCapture()))
                .addService(ServerInterceptors.intercept(seed, new HeaderCapture()))
                .build()
                .start();
    }

    public HostPort address() {
        return new HostPort(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort());
    }

    // ---- what a test arranges

    /** Queues a task for the next RequestWork; returns its result id. */
    public long offer(String app, String input) {
        return offer(app, input, List.of());
    }

    public long offer(String input) {
        return offer(TestApp.NAME, input);
    }

    /** Queues a task of {@code app} with an input as the app's split made it; returns its result id. */
    public long offer(String app, byte[] input) {
        return offer(app, ByteString.copyFrom(input), List.of(), System.currentTimeMillis() + 3_600_000);
    }

    /** Queues a task that reads {@code inputs}; returns its result id. */
    public long offer(String input, BlobSource... inputs) {
        return offer(TestApp.NAME, input, List.of(inputs));
    }

    /** Queues a task of {@code app} with an input as the app's split made it, reading {@code inputs}. */
    public long offer(String app, byte[] input, BlobSource... inputs) {
        return offer(app, ByteString.copyFrom(input), List.of(inputs), System.currentTimeMillis() + 3_600_000);
    }

    /** Queues a deployed app's task with the project's signature (as the coordinator sends it), reading {@code inputs}. */
    public long offer(String app, byte[] input, AppSignature signature, BlobSource... inputs) {
        return offer(app, ByteString.copyFrom(input), List.of(inputs), System.currentTimeMillis() + 3_600_000, signature);
    }

    /** Queues a task whose report deadline is {@code deadlineIn} from now; returns its result id. */
    public long offerDueIn(String input, java.time.Duration deadlineIn) {
        return offer(TestApp.NAME, input, List.of(), System.currentTimeMillis() + deadlineIn.toMillis());
    }

    private long offer(String app, String input, List<BlobSource> inputs) {
        return offer(app, input, inputs, System.currentTimeMillis() + 3_600_000);
    }

    private long offer(String app, String input, List<BlobSource> inputs, long deadlineEpochMillis) {
        return offer(app, ByteString.copyFrom(input, StandardCharsets.UTF_8), inputs, deadlineEpochMillis);
    }

    private long offer(String app, ByteString input, List<BlobSource> inputs, long deadlineEpochMillis) {
        return offer(app, input, inputs, deadlineEpochMillis, null);
    }

    private long offer(String app, ByteString input, List<BlobSource> inputs, long deadlineEpochMillis,
            AppSignature signature) {
        long resultId = nextResultId.getAndIncrement();
        Task.Builder task = Task.newBuilder()
                .setResultId(resultId)
                .setWorkUnitId(1000 + resultId)
                .setJobId(7)
                .setApp(app)
                .setIndex(resultId)
                .setInput(input)
                .setDeadlineEpochMillis(deadlineEpochMillis)
                .setLeaseExpiresEpochMillis(System.currentTimeMillis() + 600_000)
                .addAllInputs(inputs);
        if (signature != null) {
            task.setAppSignature(signature);
        }
        tasks.add(task.build());
        return resultId;
    }

    /** Where {@code content} can be had, as a task names it, with a valid token. */
    public BlobSource source(byte[] content, boolean coordinatorHasIt, Peer... peers) {
        String id = TestBlobs.id(content);
        return BlobSource.newBuilder().setBlobId(id).setSize(content.length).addAllPeers(List.of(peers))
                .setCoordinatorHasIt(coordinatorHasIt).setToken(grants.token(id)).build();
    }

    public TestGrants grants() {
        return grants;
    }

    /** The coordinator's PeerService: hold blobs in it to make it the seed of last resort. */
    public FakeSeed seed() {
        return seed;
    }

    public void abandonOnNextPoll(long resultId) {
        abandonOnPoll.add(resultId);
    }

    public void abandonOnNextHeartbeat(long resultId) {
        abandonOnHeartbeat.add(resultId);
    }

    /** RequestWork and Heartbeat answers from now on carry this (the volunteer's decisions on the web). */
    public void control(HostControl value) {
        control = value;
    }

    /** RequestWork answers without a task from now on say why with this (null: they say nothing). */
    public void noWork(NoWork value) {
        noWork = value;
    }

    /** Registrations from now on are told to update the worker, with this notice. */
    public void updateNotice(String notice) {
        updateNotice = notice;
    }

    /** From now on every call fails with FAILED_PRECONDITION, as a coordinator that needs a newer protocol. */
    public void refuseProtocol(String message) {
        refusedProtocolMessage = message;
    }

    /**
     * Every call, Register included, fails with {@code status} from now on, as the real coordinator answers a
     * wrong account key (UNAUTHENTICATED) or a banned host (PERMISSION_DENIED).
     */
    public void refuse(Status status) {
        refusal = status;
    }

    /** ReportResults fails with {@code status} until called with null. */
    public void failReports(Status status) {
        reportFailure = status;
    }

    public void failNextRegistrations(int count) {
        registrationsToFail.set(count);
    }

    /** Forgets every host, as a coordinator whose database was reset. */
    public void forgetHosts() {
        hostsByToken.clear();
    }

    // ---- what a test observes

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<RegisterRequest> registrations() {
        return List.copyOf(registrations);
    }

    public List<RegisterResponse> registered() {
        return List.copyOf(registered);
    }

    public List<HeartbeatRequest> heartbeats() {
        return List.copyOf(heartbeats);
    }

    public List<ReportResultsRequest> reportCalls() {
        return List.copyOf(reportCalls);
    }

    public List<RequestWorkRequest> workRequests() {
        return List.copyOf(workRequests);
    }

    public List<AnnounceBlobsRequest> announcements() {
        return List.copyOf(announcements);
    }

    /** Results stored, by result id. */
    public Map<Long, TaskResult> accepted() {
        return Map.copyOf(accepted);
    }

    public boolean wasEverReported(long resultId) {
        return reportCalls.stream().flatMap(r -> r.getResultsList().stream()).anyMatch(r -> r.getResultId() == resultId);
    }

    /** RequestWork calls the worker cancelled while they waited. */
    public int cancelledPolls() {
        return cancelledPolls.get();
    }

    /** RequestWork calls waiting right now. */
    public int activePolls() {
        return activePolls.get();
    }

    // ---- the service

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> answer) {
        registrations.add(request);
        if (refused(answer)) {
            return;
        }
        if (registrationsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer.onError(Status.UNAVAILABLE.withDescription("starting up").asRuntimeException());
            return;
        }
        Long known = hostsByToken.get(request.getHostToken());
        long hostId;
        String token;
        if (known != null && known == request.getHostId()) {
            hostId = known;
            token = request.getHostToken();
        } else {
            hostId = nextHostId.getAndIncrement();
            token = UUID.randomUUID().toString();
            hostsByToken.put(token, hostId);
        }
        RegisterResponse response = RegisterResponse.newBuilder()
                .setHostId(hostId)
                .setHostToken(token)
                .setHeartbeatIntervalMillis(heartbeatMillis)
                .setMaxWaitMillis(maxWaitMillis)
                .setGrantPublicKey(ByteString.copyFrom(grants.publicKey()))
                .setUpdateNotice(updateNotice)
                .build();
        registered.add(response);
        answer.onNext(response);
        answer.onCompleted();
    }

    @Override
    public void requestWork(RequestWorkRequest request, StreamObserver<RequestWorkResponse> answer) {
        if (refused(answer) || !authenticated(answer)) {
            return;
        }
        workRequests.add(request);
        activePolls.incrementAndGet();
        try {
            longPoll(request, answer);
        } finally {
            activePolls.decrementAndGet();
        }
    }

    private void longPoll(RequestWorkRequest request, StreamObserver<RequestWorkResponse> answer) {
        Context call = Context.current();
        long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(request.getWaitMillis(), maxWaitMillis));
        List<Task> given = new ArrayList<>();
        try {
            while (given.isEmpty() && !call.isCancelled() && System.nanoTime() < waitUntil) {
                HostControl c = control;
                if (request.getMaxTasks() == 0 || (c != null && c.getPaused())) {
                    Thread.sleep(5); // a paused host is given no task, as by the coordinator
                    continue;
                }
                Task first = tasks.poll(5, TimeUnit.MILLISECONDS);
                if (first != null) {
                    given.add(first);
                    tasks.drainTo(given, Math.max(0, request.getMaxTasks() - 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (call.isCancelled()) {
            cancelledPolls.incrementAndGet();
            for (int i = given.size() - 1; i >= 0; i--) {
                tasks.addFirst(given.get(i));
            }
            return;
        }
        RequestWorkResponse.Builder response = RequestWorkResponse.newBuilder().addAllTasks(given);
        drain(abandonOnPoll, response::addAbandonResultIds);
        NoWork why = noWork;
        if (given.isEmpty() && why != null) {
            response.setNoWork(why);
        }
        HostControl c = control;
        if (c != null) {
            response.setControl(c);
        }
        answer.onNext(response.build());
        answer.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> answer) {
        if (refused(answer) || !authenticated(answer)) {
            return;
        }
        heartbeats.add(request);
        HeartbeatResponse.Builder response = HeartbeatResponse.newBuilder();
        drain(abandonOnHeartbeat, response::addAbandonResultIds);
        HostControl c = control;
        if (c != null) {
            response.setControl(c);
        }
        answer.onNext(response.build());
        answer.onCompleted();
    }

    @Override
    public void reportResults(ReportResultsRequest request, StreamObserver<ReportResultsResponse> answer) {
        if (refused(answer) || !authenticated(answer)) {
            return;
        }
        reportCalls.add(request);
        Status failure = reportFailure;
        if (failure != null) {
            answer.onError(failure.asRuntimeException());
            return;
        }
        ReportResultsResponse.Builder response = ReportResultsResponse.newBuilder();
        for (TaskResult result : request.getResultsList()) {
            ReportAck.Builder ack = ReportAck.newBuilder().setResultId(result.getResultId());
            if (result.hasSuccess()
                    && !ContentAddress.of(result.getSuccess().getOutput().toByteArray()).equals(result.getSuccess().getOutputHash())) {
                ack.setStatus(ReportAck.Status.REJECTED).setMessage("output hash mismatch");
            } else {
                accepted.put(result.getResultId(), result);
                ack.setStatus(ReportAck.Status.ACCEPTED);
            }
            response.addAcks(ack);
        }
        answer.onNext(response.build());
        answer.onCompleted();
    }

    @Override
    public void announceBlobs(AnnounceBlobsRequest request, StreamObserver<AnnounceBlobsResponse> answer) {
        if (refused(answer) || !authenticated(answer)) {
            return;
        }
        announcements.add(request);
        answer.onNext(AnnounceBlobsResponse.getDefaultInstance());
        answer.onCompleted();
    }

    private boolean refused(StreamObserver<?> answer) {
        String message = refusedProtocolMessage;
        if (message != null) {
            answer.onError(Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException());
            return true;
        }
        Status status = refusal;
        if (status != null) {
            answer.onError(status.asRuntimeException());
            return true;
        }
        return false;
    }

    private boolean authenticated(StreamObserver<?> answer) {
        String authorization = HEADERS.get().get(AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !hostsByToken.containsKey(authorization.substring("Bearer ".length()))) {
            answer.onError(Status.UNAUTHENTICATED.withDescription("unknown host token").asRuntimeException());
            return false;
        }
        return true;
    }

    private static void drain(Queue<Long> queue, java.util.function.LongConsumer into) {
        for (Long id = queue.poll(); id != null; id = queue.poll()) {
            into.accept(id);
        }
    }

    @Override
    public void close() {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records each call's headers and makes them available to the handlers. */
    private final class HeaderCapture implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            calls.add(new Call(call.getMethodDescriptor().getBareMethodName(), headers.get(PROTOCOL), headers.get(AUTHORIZATION)));
            return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
        }
    }
}
