package dev.starling.swarm.internal;

import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
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
import dev.starling.samples.checksum.ChecksumApp;
import com.google.protobuf.ByteString;
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
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A coordinator's worker service, faked on a real socket: hands out the tasks of one checksum job (two replicas
 * per work unit, never both to one host), records every call's headers and every reported result. A long poll
 * with no work left is held until the client cancels it. {@link #loseAnswerOnce(long)} stores a result but
 * answers UNAVAILABLE, as when a coordinator commits and the answer is lost on the way.
 */
final class FakeCoordinator implements AutoCloseable {
    static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final long JOB = 7;
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    /** One call as the fake saw it. */
    record Call(String method, String protocol, String authorization) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<RequestWorkRequest> workRequests = new CopyOnWriteArrayList<>();
    /** by result id, the first report of each result, and the host that sent it */
    final Map<Long, TaskResult> stored = new ConcurrentHashMap<>();
    final Map<Long, Long> storedBy = new ConcurrentHashMap<>();
    final AtomicInteger cancelledPolls = new AtomicInteger();
    final Set<Long> heldPolls = ConcurrentHashMap.newKeySet();
    final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    /** results the next heartbeat that mentions them tells the host to abandon */
    final Set<Long> abandon = ConcurrentHashMap.newKeySet();
    volatile int heartbeatMillis = 20_000;
    private final Map<Long, Long> hostOfResult = new ConcurrentHashMap<>();
    private final Map<Long, Task> taskOfResult = new ConcurrentHashMap<>();
    private final Deque<Task> unsent = new ArrayDeque<>();
    private final Map<Long, Set<Long>> hostsOfWorkUnit = new HashMap<>();
    private final Set<Long> loseOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextHost = new AtomicInteger(100);
    private final AtomicInteger pollIds = new AtomicInteger();
    private final Server server;

    FakeCoordinator(int workUnits) throws IOException {
        long resultId = 1000;
        for (long i = 0; i < workUnits; i++) {
            for (int replica = 0; replica < 2; replica++) {
                unsent.add(Task.newBuilder().setResultId(resultId++).setWorkUnitId(500 + i).setJobId(JOB)
                        .setApp(ChecksumApp.NAME).setIndex(i).setInput(ByteString.copyFrom(ChecksumApp.encode(i, 1)))
                        .build());
            }
        }
        ServerInterceptor headers = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata metadata,
                    ServerCallHandler<Q, A> next) {
                calls.add(new Call(call.getMethodDescriptor().getBareMethodName(), metadata.get(PROTOCOL),
                        metadata.get(AUTHORIZATION)));
                return Contexts.interceptCall(Context.current().withValue(HEADERS, metadata), call, metadata, next);
            }
        };
        server = NettyServerBuilder.forPort(0)
                .addService(ServerInterceptors.intercept(new Service(), headers))
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    /** Register calls answered busy (UNAVAILABLE with a 100 ms retry hint) before one is served. */
    final java.util.concurrent.atomic.AtomicInteger busyRegistrations = new java.util.concurrent.atomic.AtomicInteger();

    /** The next report of {@code resultId} is stored but answered UNAVAILABLE. */
    void loseAnswerOnce(long resultId) {
        loseOnce.add(resultId);
    }

    synchronized int unsentCount() {
        return unsent.size();
    }

    Task task(long resultId) {
        return taskOfResult.get(resultId);
    }

    private synchronized List<Task> claim(long hostId, int max) {
        List<Task> claimed = new ArrayList<>();
        for (var it = unsent.iterator(); it.hasNext() && claimed.size() < max; ) {
            Task t = it.next();
            if (hostsOfWorkUnit.computeIfAbsent(t.getWorkUnitId(), k -> new HashSet<>()).add(hostId)) {
                it.remove();
                claimed.add(t);
                hostOfResult.put(t.getResultId(), hostId);
                taskOfResult.put(t.getResultId(), t);
            }
        }
        return claimed;
    }

    private static long hostId() {
        String auth = HEADERS.get().get(AUTHORIZATION);
        return Long.parseLong(auth.substring("Bearer token-".length()));
    }

    private final class Service extends WorkerServiceGrpc.WorkerServiceImplBase {
        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
            if (busyRegistrations.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                Metadata hint = new Metadata();
                hint.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "100");
                response.onError(Status.UNAVAILABLE.withDescription("busy").asRuntimeException(hint));
                return;
            }
            int id = nextHost.incrementAndGet();
            response.onNext(RegisterResponse.newBuilder().setHostId(id).setHostToken("token-" + id)
                    .setHeartbeatIntervalMillis(heartbeatMillis).setMaxWaitMillis(20_000).build());
            response.onCompleted();
        }

        @Override
        public void requestWork(RequestWorkRequest request, StreamObserver<RequestWorkResponse> response) {
            workRequests.add(request);
            List<Task> tasks = claim(hostId(), request.getMaxTasks());
            if (tasks.isEmpty()) {
                long poll = pollIds.incrementAndGet();
                heldPolls.add(poll);
                ((ServerCallStreamObserver<RequestWorkResponse>) response).setOnCancelHandler(() -> {
                    heldPolls.remove(poll);
                    cancelledPolls.incrementAndGet();
                });
                return; // held until the client gives up
            }
            response.onNext(RequestWorkResponse.newBuilder().addAllTasks(tasks).build());
            response.onCompleted();
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
            heartbeats.add(request);
            HeartbeatResponse.Builder answer = HeartbeatResponse.newBuilder();
            request.getTasksList().stream().filter(t -> abandon.contains(t.getResultId()))
                    .forEach(t -> answer.addAbandonResultIds(t.getResultId()));
            response.onNext(answer.build());
            response.onCompleted();
        }

        @Override
        public void reportResults(ReportResultsRequest request, StreamObserver<ReportResultsResponse> response) {
            long host = hostId();
            ReportResultsResponse.Builder answer = ReportResultsResponse.newBuilder();
            boolean lose = false;
            for (TaskResult r : request.getResultsList()) {
                ReportAck.Builder ack = ReportAck.newBuilder().setResultId(r.getResultId());
                Long owner = hostOfResult.get(r.getResultId());
                if (owner == null || owner != host) {
                    answer.addAcks(ack.setStatus(ReportAck.Status.REJECTED).setMessage("not your task"));
                } else if (stored.putIfAbsent(r.getResultId(), r) == null) {
                    storedBy.put(r.getResultId(), host);
                    lose |= loseOnce.remove(r.getResultId());
                    answer.addAcks(ack.setStatus(ReportAck.Status.ACCEPTED));
                } else {
                    answer.addAcks(ack.setStatus(ReportAck.Status.ACCEPTED).setMessage("already reported"));
                }
            }
            if (lose) {
                response.onError(Status.UNAVAILABLE.withDescription("answer lost").asRuntimeException());
                return;
            }
            response.onNext(answer.build());
            response.onCompleted();
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
