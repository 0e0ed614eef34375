package dev.starling.worker.peer;

import dev.starling.worker.config.HostPort;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The {@code host:port} this worker's PeerService is announced at. Unless the volunteer names a host, it is
 * the local address this machine uses to reach the coordinator: peers that reach the coordinator the same way
 * (on this machine, on this network) reach this worker there too. A worker behind NAT is not reachable at any
 * address of its own, which is what {@code --behind-nat} is for.
 */
final class AdvertisedAddress {
    private AdvertisedAddress() {}

    static String of(Optional<String> host, int port, HostPort coordinator) {
        return new HostPort(host.orElseGet(() -> routeTo(coordinator)), port).toString();
    }

    /**
     * The local address of the route to the coordinator, found by connecting a UDP socket (which sends nothing);
     * the loopback address when there is none (the coordinator's name does not resolve yet).
     */
    static String routeTo(HostPort coordinator) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(InetAddress.getByName(coordinator.host()), coordinator.port());
            InetAddress local = socket.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            // fall back to what works on one machine
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }
}
