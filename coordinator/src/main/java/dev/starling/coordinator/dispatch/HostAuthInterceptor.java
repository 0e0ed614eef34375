package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.proto.v1.WorkerServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

/**
 * Every worker call states its protocol version ({@code starling-protocol}); every call but Register
 * carries {@code authorization: Bearer <host token>}. A version outside the range this coordinator takes
 * ({@link WorkerProtocol#checkProtocol}) gets FAILED_PRECONDITION saying what to install; a missing or unknown token gets UNAUTHENTICATED; a host banned by
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

    private final WorkerProtocol protocol;
    private final PeerAddresses addresses;

    HostAuthInterceptor(WorkerProtocol protocol, PeerAddresses addresses) {
        this.protocol = protocol;
        this.addresses = addresses;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (!WorkerServiceGrpc.SERVICE_NAME.equals(service)) {
            // health, reflection, and PeerService, whose calls carry a fetch token that the service checks itself
            return next.startCall(call, headers);
        }
        try {
            protocol.checkProtocol(headers.get(PROTOCOL));
        } catch (StatusRuntimeException e) {
            return close(call, e.getStatus());
        }
        // by name: the service's methods are described anew to parse their requests themselves (StrictRequests)
        if (call.getMethodDescriptor().getFullMethodName().equals(WorkerServiceGrpc.getRegisterMethod().getFullMethodName())) {
            InetAddress client = addresses.client(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    headers.get(FORWARDED_FOR));
            return Contexts.interceptCall(Context.current().withValue(CLIENT, client), call, headers, next);
        }
        AuthenticatedHost host;
        try {
            host = protocol.authenticate(headers.get(AUTHORIZATION));
        } catch (StatusRuntimeException e) {
            return close(call, e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
        }
        return Contexts.interceptCall(Context.current().withValue(HOST, host), call, headers, next);
    }

    private static <Q, A> ServerCall.Listener<Q> close(ServerCall<Q, A> call, Status status) {
        return close(call, status, new Metadata());
    }

    private static <Q, A> ServerCall.Listener<Q> close(ServerCall<Q, A> call, Status status, Metadata trailers) {
        call.close(status, trailers);
        return new ServerCall.Listener<>() {};
    }
}
