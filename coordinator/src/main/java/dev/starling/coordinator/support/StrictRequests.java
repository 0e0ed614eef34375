package dev.starling.coordinator.support;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body that is not the message a method takes is the caller's mistake: INVALID_ARGUMENT, naming the message
 * and what is wrong with it. grpc-java parses a request before any interceptor or service sees it and answers a parse
 * failure UNKNOWN "Application error processing RPC"; so the methods of a service wrapped here take the request's
 * bytes as they came, and parse them themselves, first thing.
 */
public final class StrictRequests {
    private StrictRequests() {}

    /** The service, its methods refusing request bodies they cannot parse with INVALID_ARGUMENT. */
    public static ServerServiceDefinition of(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<InputStream, ?> raw = raw(m);
            descriptor.addMethod(raw.getMethodDescriptor());
            methods.add(raw);
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <Q, A> ServerMethodDefinition<InputStream, A> raw(ServerMethodDefinition<Q, A> definition) {
        MethodDescriptor<Q, A> method = definition.getMethodDescriptor();
        ServerCallHandler<Q, A> handler = definition.getServerCallHandler();
        MethodDescriptor<InputStream, A> raw = method.toBuilder(BYTES, method.getResponseMarshaller()).build();
        return ServerMethodDefinition.create(raw,
                (call, headers) -> new Parsing<>(handler.startCall(new Typed<>(call, method), headers), call, method));
    }

    /** The body as it came: read (synchronously) by {@link Parsing#onMessage}, closed by gRPC after it. */
    private static final MethodDescriptor.Marshaller<InputStream> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    };

    /** Parses each request for the method's own listener; a body it cannot parse closes the call. */
    private static final class Parsing<Q, A> extends ServerCall.Listener<InputStream> {
        private final ServerCall.Listener<Q> next;
        private final ServerCall<InputStream, A> call;
        private final MethodDescriptor<Q, A> method;
        private boolean refused;

        Parsing(ServerCall.Listener<Q> next, ServerCall<InputStream, A> call, MethodDescriptor<Q, A> method) {
            this.next = next;
            this.call = call;
            this.method = method;
        }

        @Override
        public void onMessage(InputStream body) {
            if (refused) {
                return;
            }
            Q request;
            try {
                request = method.parseRequest(body);
            } catch (RuntimeException e) {
                refused = true;
                call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid " + messageName()
                        + " message: " + why(e)), new Metadata());
                return;
            }
            next.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                next.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                next.onReady();
            }
        }

        @Override
        public void onCancel() {
            next.onCancel();
        }

        @Override
        public void onComplete() {
            next.onComplete();
        }

        private String messageName() {
            return method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                    && p.getMessagePrototype() != null ? p.getMessagePrototype().getClass().getSimpleName()
                    : method.getFullMethodName() + " request";
        }

        /** The parser's own words (protobuf's are clear: "the input ended unexpectedly", "invalid UTF-8"). */
        private static String why(RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        }
    }

    /** The call as the method's own handler expects it: typed by the method's request message. */
    private static final class Typed<Q, A> extends ServerCall<Q, A> {
        private final ServerCall<InputStream, A> call;
        private final MethodDescriptor<Q, A> method;

        Typed(ServerCall<InputStream, A> call, MethodDescriptor<Q, A> method) {
            this.call = call;
            this.method = method;
        }

        @Override
        public MethodDescriptor<Q, A> getMethodDescriptor() {
            return method;
        }

        @Override
        public void request(int numMessages) {
            call.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            call.sendHeaders(headers);
        }

        @Override
        public void sendMessage(A message) {
            call.sendMessage(message);
        }

        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            call.close(status, trailers);
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }
    }
}
