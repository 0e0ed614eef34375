package dev.starling.worker.peer.transfer;

import dev.starling.worker.peer.cache.BlobCache;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's PeerService, listening on every interface for other workers (see {@link ChunkService} for
 * what it serves and to whom). Requests are tiny, so the server refuses large ones; chunks go out on virtual
 * threads, one per answer.
 */
public final class PeerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerServer.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PROTOCOL_VERSION = "1";

    private final Server server;
    private final ChunkService service;
    private final ExecutorService senders;

    private PeerServer(Server server, ChunkService service, ExecutorService senders) {
        this.server = server;
        this.service = service;
        this.senders = senders;
    }

    /** Starts serving {@code cache} on {@code port} (0: any free port), every chunk as it is. */
    public static PeerServer start(int port, BlobCache cache, FetchTokens tokens, RateLimiter limiter) {
        return start(port, cache, tokens, limiter, UnaryOperator.identity());
    }

    /**
     * Starts serving {@code cache} on {@code port} (0: any free port).
     *
     * @param outgoing what every chunk served goes through: the identity, but for a fault injected by end-to-end tests
     * @throws UncheckedIOException when the port cannot be bound, saying what to do about it
     */
    public static PeerServer start(int port, BlobCache cache, FetchTokens tokens, RateLimiter limiter,
            UnaryOperator<byte[]> outgoing) {
        ExecutorService senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("starling-upload-", 1).factory());
        ChunkService service = new ChunkService(cache, tokens, limiter, senders, outgoing);
        try {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(port))
                    .addService(ServerInterceptors.intercept(service, new ProtocolCheck()))
                    .maxInboundMessageSize(MAX_REQUEST_BYTES)
                    .build()
                    .start();
            log.info("Serving blobs to peers on port {}{}", server.getPort(),
                    limiter.isUnlimited() ? "" : " (upload rate capped)");
            return new PeerServer(server, service, senders);
        } catch (IOException e) {
            senders.shutdownNow();
            String why = inUse(e) ? "the port is in use; choose another --peer-port, or 0 for any free port" : e.getMessage();
            throw new UncheckedIOException("cannot listen for peers on port " + port + ": " + why, e);
        }
    }

    /** Whether binding failed because the port is taken (Netty's native transport has an exception of its own). */
    private static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** The port it listens on (the one chosen when 0 was asked for). */
    public int port() {
        return server.getPort();
    }

    /** Chunk bytes sent to peers since it started. */
    public long bytesServed() {
        return service.bytesServed();
    }

    /** Stops accepting calls, lets running ones end for up to {@code timeout}, then cuts them. */
    public void stop(Duration timeout) throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            server.shutdownNow();
            server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        senders.shutdownNow();
    }

    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            server.shutdownNow();
            senders.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A peer that states a peer protocol version must state this one; peers that state none are served. */
    private static final class ProtocolCheck implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            String version = headers.get(PROTOCOL);
            if (version != null && !version.trim().equals(PROTOCOL_VERSION)) {
                call.close(Status.FAILED_PRECONDITION.withDescription("this worker speaks Starling peer protocol "
                        + PROTOCOL_VERSION + " and the caller sent " + version), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
        }
    }
}
