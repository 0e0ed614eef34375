package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.Batcher;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.RetryHints;
import dev.starling.coordinator.support.StrictRequests;
import dev.starling.coordinator.support.Transactions;
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
import dev.starling.proto.v1.RotateTokenResponse;
import dev.starling.proto.v1.WorkerServiceGrpc;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;

/**
 * The worker protocol over gRPC: hands each call to {@link WorkerProtocol} and maps every failure to a {@link Status}
 * with a description a person can act on. Authentication happened in {@link HostAuthInterceptor}.
 */
@Service
class WorkerGrpcService implements WorkerServiceGrpc.AsyncService, BindableService {
    private static final Logger log = LoggerFactory.getLogger(WorkerGrpcService.class);

    private final WorkerProtocol protocol;
    private final Admission admission;

    WorkerGrpcService(WorkerProtocol protocol, Admission admission) {
        this.protocol = protocol;
        this.admission = admission;
    }

    /** Its methods answer a body that is not their request message INVALID_ARGUMENT (gRPC would answer UNKNOWN). */
    @Override
    public ServerServiceDefinition bindService() {
        return StrictRequests.of(WorkerServiceGrpc.bindService(this));
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
        answer(response, () -> protocol.register(request, HostAuthInterceptor.CLIENT.get()));
    }

    @Override
    public void requestWork(RequestWorkRequest request, StreamObserver<RequestWorkResponse> response) {
        answer(response, () -> protocol.requestWork(HostAuthInterceptor.HOST.get(), request));
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        answer(response, () -> protocol.heartbeat(HostAuthInterceptor.HOST.get(), request));
    }

    @Override
    public void reportResults(ReportResultsRequest request, StreamObserver<ReportResultsResponse> response) {
        answer(response, () -> protocol.reportResults(HostAuthInterceptor.HOST.get(), request));
    }

    @Override
    public void rotateToken(RotateTokenRequest request, StreamObserver<RotateTokenResponse> response) {
        answer(response, () -> protocol.rotateToken(HostAuthInterceptor.HOST.get()));
    }

    @Override
    public void announceBlobs(AnnounceBlobsRequest request, StreamObserver<AnnounceBlobsResponse> response) {
        answer(response, () -> protocol.announceBlobs(HostAuthInterceptor.HOST.get(), request));
    }

    /** The one place where failures become statuses. */
    private <T> void answer(StreamObserver<T> response, Supplier<T> work) {
        T value;
        try {
            value = work.get();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        } catch (OverloadedException e) {
            response.onError(RetryHints.unavailable(e.getMessage(), e.retryAfter()));
            return;
        } catch (Batcher.StoppedException e) {
            response.onError(Status.UNAVAILABLE.withDescription("the coordinator is shutting down; retry")
                    .asRuntimeException());
            return;
        } catch (DataAccessException | TransactionException e) {
            if (Transactions.databaseUnavailable(e)) {
                log.warn("Database unavailable while serving a worker", e);
                response.onError(RetryHints.unavailable("the coordinator cannot reach its database right now; retry later",
                        admission.retryAfter()));
            } else {
                // the edge (WireLimits) lets nothing through that the database refuses: this is a coordinator bug
                log.error("The database refused a worker's call", e);
                response.onError(Status.INTERNAL.withDescription("the coordinator's database refused this call; its"
                        + " operator can find the cause in its log").asRuntimeException());
            }
            return;
        } catch (RuntimeException e) {
            log.error("Unexpected failure serving a worker", e);
            response.onError(Status.INTERNAL.withDescription(
                    "the coordinator failed to handle this call; its operator can find the cause in its log")
                    .asRuntimeException());
            return;
        }
        response.onNext(value);
        response.onCompleted();
    }
}
