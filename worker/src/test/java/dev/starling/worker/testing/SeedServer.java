package dev.starling.worker.testing;

import dev.starling.proto.v1.Peer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A {@link FakeSeed} on a real loopback gRPC server: the coordinator's peer port, or a lying peer. */
public final class SeedServer implements AutoCloseable {
    private final Server server;

    public SeedServer(FakeSeed seed) {
        try {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .addService(seed)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String address() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    public Peer asPeer(long hostId) {
        return Peer.newBuilder().setHostId(hostId).setAddress(address()).build();
    }

    @Override
    public void close() {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
