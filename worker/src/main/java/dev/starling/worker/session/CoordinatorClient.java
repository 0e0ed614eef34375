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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
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
    private final WorkerServiceBlockingStub stub;
    private final Duration callTimeout;
    private final Duration pollDeadlineMargin;
    private final Runnable reconnectSoon;

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

    static String describe(Status status) {
        return status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    }
}
