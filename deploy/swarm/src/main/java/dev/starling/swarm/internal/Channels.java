package dev.starling.swarm.internal;

import dev.starling.swarm.Endpoint;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The swarm's gRPC channels (one TCP connection each, plaintext), all on one Netty event loop group. Host
 * {@code i} talks to coordinator {@code i % n}; the channels of a coordinator are shared round robin among its
 * hosts, one per host unless fewer connections were asked for.
 */
final class Channels implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<List<ManagedChannel>> byCoordinator = new ArrayList<>();
    private final int coordinators;

    /**
     * @param connections channels in all, 0 for one per host
     * @throws IllegalArgumentException when a coordinator's host name does not resolve
     */
    Channels(List<Endpoint> endpoints, int hosts, int connections) {
        this.coordinators = endpoints.size();
        int total = connections == 0 ? hosts : Math.min(connections, hosts);
        this.group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("swarm-netty", true), NioIoHandler.newFactory());
        for (int c = 0; c < coordinators; c++) {
            InetSocketAddress address = resolve(endpoints.get(c));
            int count = total / coordinators + (c < total % coordinators ? 1 : 0);
            List<ManagedChannel> channels = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                channels.add(NettyChannelBuilder.forAddress(address)
                        .eventLoopGroup(group)
                        .channelType(NioSocketChannel.class)
                        .usePlaintext()
                        .build());
            }
            byCoordinator.add(channels);
        }
    }

    /** The channel host {@code index} uses. */
    Channel forHost(int index) {
        List<ManagedChannel> channels = byCoordinator.get(index % coordinators);
        return channels.get((index / coordinators) % channels.size());
    }

    int size() {
        return byCoordinator.stream().mapToInt(List::size).sum();
    }

    @Override
    public void close() {
        byCoordinator.forEach(list -> list.forEach(ManagedChannel::shutdown));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (List<ManagedChannel> list : byCoordinator) {
                for (ManagedChannel channel : list) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                        channel.shutdownNow();
                    }
                }
            }
        } catch (InterruptedException e) {
            byCoordinator.forEach(list -> list.forEach(ManagedChannel::shutdownNow));
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static InetSocketAddress resolve(Endpoint endpoint) {
        try {
            return new InetSocketAddress(InetAddress.getByName(endpoint.host()), endpoint.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + endpoint.host() + "' in --coordinator " + endpoint);
        }
    }
}
