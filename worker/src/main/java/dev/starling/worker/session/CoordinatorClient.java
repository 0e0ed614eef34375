package dev.starling.worker.session;

import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.AnnounceBlobsResponse;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.RotateTokenRequest;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WorkerServiceGrpc.WorkerServiceBlockingStub;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.worker.config.Tuning;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The worker's calls to the coordinator. Every call has a deadline; the statuses that are not transient become
 * exceptions of their own: FAILED_PRECONDITION is {@link ProtocolTooOldException}; UNAUTHENTICATED is
 * {@link HostUnknownException} on calls made as a host, and {@link RefusedException} on Register (the account key);
 * PERMISSION_DENIED (a banned host) is {@link RefusedException}. Any other failure is the
 * {@link StatusRuntimeException} itself, which callers retry with backoff.
 */
public final class CoordinatorClient {
    /** a busy coordinator's hint of when to come back (gRPC's own name for it, from its retry design A6) */
    static final Metadata.Key<String> PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private final WorkerServiceBlockingStub stub;
    /** System.nanoTime() before which the coordinator asked not to be called again */
    private volatile long quietUntil = System.nanoTime();
    private final Duration callTimeout;
    private final Duration pollDeadlineMargin;
    private final Runnable reconnectSoon;
    /** the longest hint heeded: a coordinator cannot keep its workers away for longer than this */
    private static final Duration MAX_PUSHBACK = Duration.ofMinutes(5);

    public CoordinatorClient(Channel channel, Tuning tuning) {
        this.stub = WorkerServiceGrpc.newBlockingStub(channel);
        // after a failed connection gRPC waits up to 2 minutes before it tries again, failing calls at once meanwhile;
        // the callers' own backoff (at most backoffMax) is the one to keep to
        this.reconnectSoon = channel instanceof ManagedChannel managed ? managed::resetConnectBackoff : () -> {};
        this.callTimeout = tuning.callTimeout();
        this.pollDeadlineMargin = tuning.pollDeadlineMargin();
    }

    RegisterResponse register(RegisterRequest request) {
        return call(null, callTimeout, s -> s.register(request));
    }

    RequestWorkResponse requestWork(HostIdentity as, int maxTasks, int waitMillis) {
        RequestWorkRequest request = RequestWorkRequest.newBuilder().setMaxTasks(maxTasks).setWaitMillis(waitMillis).build();
        return call(as, Duration.ofMillis(waitMillis).plus(pollDeadlineMargin), s -> s.requestWork(request));
    }

    HeartbeatResponse heartbeat(HostIdentity as, List<TaskProgress> progress) {
        HeartbeatRequest request = HeartbeatRequest.newBuilder().addAllTasks(progress).build();
        return call(as, callTimeout, s -> s.heartbeat(request));
    }

    ReportResultsResponse report(HostIdentity as, List<TaskResult> results) {
        ReportResultsRequest request = ReportResultsRequest.newBuilder().addAllResults(results).build();
        return call(as, callTimeout, s -> s.reportResults(request));
    }

    public AnnounceBlobsResponse announce(HostIdentity as, AnnounceBlobsRequest request) {
        return call(as, callTimeout, s -> s.announceBlobs(request));
    }

    /** A new token for the host; the one {@code as} carries works until the new one is first used. */
    String rotateToken(HostIdentity as) {
        return call(as, callTimeout, s -> s.rotateToken(RotateTokenRequest.getDefaultInstance())).getHostToken();
    }

    private <T> T call(HostIdentity as, Duration deadline, Function<WorkerServiceBlockingStub, T> call) {
        WorkerServiceBlockingStub s = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (as != null) {
            s = s.withOption(ProtocolInterceptor.IDENTITY, as);
        }
        try {
            return call.apply(s);
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            if (status.getCode() == Status.Code.UNAVAILABLE) {
                reconnectSoon.run();
                heed(e.getTrailers());
            }
            throw switch (status.getCode()) {
                case FAILED_PRECONDITION -> new ProtocolTooOldException(describe(status));
                case UNAUTHENTICATED -> as == null ? new RefusedException(describe(status))
                        : new HostUnknownException(as, describe(status));
                case PERMISSION_DENIED -> new RefusedException(describe(status));
                default -> e;
            };
        }
    }

    /**
     * A busy coordinator says when to come back (UNAVAILABLE with {@code grpc-retry-pushback-ms}): this worker waits
     * that long plus a random part as long again, so that the many workers turned away together (all starting at
     * once, or all coming back to a coordinator that restarted) come back spread out, not together.
     */
    private void heed(Metadata trailers) {
        String hint = trailers == null ? null : trailers.get(PUSHBACK);
        if (hint == null) {
            return;
        }
        try {
            long millis = Math.clamp(Long.parseLong(hint.trim()), 0, MAX_PUSHBACK.toMillis());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis + ThreadLocalRandom.current().nextLong(millis + 1));
            if (until - quietUntil > 0) {
                quietUntil = until;
            }
        } catch (NumberFormatException e) {
            // not a hint: the backoff alone decides
        }
    }

    /** How long the coordinator still asked not to be called (its latest retry hint, spread); zero when it did not. */
    public Duration quietFor() {
        long left = quietUntil - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    static String describe(Status status) {
        return status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    }
}
