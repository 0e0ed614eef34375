package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.WorkerVersions;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.proto.v1.WorkerServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetAddress;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Every worker call states its protocol version ({@code starling-protocol}); every call but Register
 * carries {@code authorization: Bearer <host token>}. A version outside the range this coordinator takes
 * ({@link WorkerVersions}) gets FAILED_PRECONDITION saying what to install; a missing or unknown token gets UNAUTHENTICATED; a host banned by
 * the admin, or whose volunteer is, PERMISSION_DENIED with the admin's reason. The authenticated host goes into the gRPC {@link Context}.
 */
@Component
@GlobalServerInterceptor
class HostAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<AuthenticatedHost> HOST = Context.key("starling-host");
    /** Where a Register call comes from, as {@link PeerAddresses#client} tells it (null when it cannot) */
    static final Context.Key<InetAddress> CLIENT = Context.key("starling-client-address");

    private final HostService hosts;
    private final PeerAddresses addresses;
    private final WorkerVersions versions;
    private final Admission admission;

    HostAuthInterceptor(HostService hosts, PeerAddresses addresses, WorkerVersions versions, Admission admission) {
        this.hosts = hosts;
        this.addresses = addresses;
        this.versions = versions;
        this.admission = admission;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (!WorkerServiceGrpc.SERVICE_NAME.equals(service)) {
            // health, reflection, and PeerService, whose calls carry a fetch token that the service checks itself
            return next.startCall(call, headers);
        }
        Optional<String> refusal = versions.refusal(headers.get(PROTOCOL));
        if (refusal.isPresent()) {
            return close(call, Status.FAILED_PRECONDITION.withDescription(refusal.get()));
        }
        // by name: the service's methods are described anew to parse their requests themselves (StrictRequests)
        if (call.getMethodDescriptor().getFullMethodName().equals(WorkerServiceGrpc.getRegisterMethod().getFullMethodName())) {
            InetAddress client = addresses.client(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    headers.get(FORWARDED_FOR));
            return Contexts.interceptCall(Context.current().withValue(CLIENT, client), call, headers, next);
        }
        String authorization = headers.get(AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return close(call, Status.UNAUTHENTICATED.withDescription(
                    "missing 'authorization: Bearer <host token>'; call Register first"));
        }
        String token = authorization.substring("Bearer ".length()).trim();
        if (token.length() > WireLimits.MAX_SECRET) {
            return close(call, Status.UNAUTHENTICATED.withDescription(
                    "unknown host token (longer than any this coordinator hands out): register again"));
        }
        Optional<AuthenticatedHost> host;
        try {
            host = hosts.authenticate(token);
        } catch (OverloadedException e) {
            return close(call, Status.UNAVAILABLE.withDescription(e.getMessage()), RetryHints.trailers(e.retryAfter()));
        } catch (DataAccessException | TransactionException e) {
            return close(call, Status.UNAVAILABLE.withDescription(
                    "the coordinator cannot reach its database right now; retry later"),
                    RetryHints.trailers(admission.retryAfter()));
        }
        if (host.isEmpty()) {
            return close(call, Status.UNAUTHENTICATED.withDescription(
                    "unknown host token; the coordinator does not know this host: register again"));
        }
        if (host.get().banned()) {
            return close(call, Status.PERMISSION_DENIED.withDescription(host.get().refusal()));
        }
        return Contexts.interceptCall(Context.current().withValue(HOST, host.get()), call, headers, next);
    }

    private static <Q, A> ServerCall.Listener<Q> close(ServerCall<Q, A> call, Status status) {
        return close(call, status, new Metadata());
    }

    private static <Q, A> ServerCall.Listener<Q> close(ServerCall<Q, A> call, Status status, Metadata trailers) {
        call.close(status, trailers);
        return new ServerCall.Listener<>() {};
    }
}
