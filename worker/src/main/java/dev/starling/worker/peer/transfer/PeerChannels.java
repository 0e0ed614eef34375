package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.PeerServiceGrpc.PeerServiceBlockingStub;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.worker.peer.cache.BlobManifest;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per peer address ({@code host:port}), shared by every fetch that dials that peer and
 * idle (no connection) when unused. A long-running worker meets many peers, so only the most recently used
 * {@value #MAX_CHANNELS} channels are kept; an older one is shut down gracefully (calls on it finish). Calls
 * to peers carry the protocol header but never the host token, which is a secret between this worker and its
 * coordinator.
 */
public final class PeerChannels implements AutoCloseable {
    static final int MAX_CHANNELS = 256;
    private static final Duration IDLE = Duration.ofMinutes(1);
    /** A chunk and its framing; nothing larger is ever expected from a peer. */
    private static final int MAX_MESSAGE_BYTES = BlobManifest.CHUNK_SIZE + 64 * 1024;

    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>(16, 0.75f, true); // guarded by this
    private final List<ClientInterceptor> interceptors;
    private boolean closed; // guarded by this

    public PeerChannels(List<ClientInterceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    /**
     * A stub for the PeerService at {@code address}.
     *
     * @throws IllegalArgumentException when the address is not one gRPC can dial
     */
    synchronized PeerServiceBlockingStub stub(String address) {
        if (closed) {
            throw new IllegalStateException("the peer channels are closed");
        }
        ManagedChannel channel = channels.get(address);
        if (channel == null) {
            channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                    .intercept(interceptors)
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .idleTimeout(IDLE.toMillis(), TimeUnit.MILLISECONDS)
                    .build();
            channels.put(address, channel);
            if (channels.size() > MAX_CHANNELS) {
                Iterator<ManagedChannel> eldest = channels.values().iterator();
                eldest.next().shutdown();
                eldest.remove();
            }
        }
        return PeerServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public synchronized void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
