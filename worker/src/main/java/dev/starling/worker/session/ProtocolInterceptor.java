package dev.starling.worker.session;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Puts the protocol version on every call and, when the call names a host identity (through the
 * {@link #IDENTITY} call option), the host's bearer token. The one place the worker's headers are made.
 */
public final class ProtocolInterceptor implements ClientInterceptor {
    static final int PROTOCOL_VERSION = 1;
    static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The identity a call is made as; absent for Register. */
    public static final CallOptions.Key<HostIdentity> IDENTITY = CallOptions.Key.create("starling-host-identity");

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        HostIdentity identity = options.getOption(IDENTITY);
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
                headers.put(PROTOCOL, Integer.toString(PROTOCOL_VERSION));
                if (identity != null) {
                    headers.put(AUTHORIZATION, "Bearer " + identity.token());
                }
                super.start(listener, headers);
            }
        };
    }
}
