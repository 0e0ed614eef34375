package dev.starling.coordinator.peer;

import dev.starling.coordinator.StarlingProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Where other workers are told to fetch a host's blobs. A worker chooses only the port: the address is the one the
 * coordinator sees it connect from (through a trusted proxy, the one the proxy saw), so that nobody can have workers
 * dial a third party's address. Private, loopback, link-local and similar addresses are never offered unless the
 * operator names their network ({@code starling.peers.private-networks}: a project on one LAN, tests on one machine).
 * The coordinator itself never dials a peer address. Nothing here resolves a name: only literal addresses are read.
 */
@Component
public class PeerAddresses {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Networks that are not on the internet: loopback, RFC 1918, link-local, shared (CGNAT), unique local, ... */
    private static final List<Network> PRIVATE = Network.parseAll(List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10",
            "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3", "::/127", "fc00::/7",
            "fe80::/10", "ff00::/8"));

    private final List<Network> trustedProxies;
    private final List<Network> privateNetworks;
    private final List<Network> sharedNetworks;
    private final int networkBits;
    private final int networkBitsV6;

    @Autowired
    PeerAddresses(StarlingProperties properties) {
        this(properties.peers().trustedProxies(), properties.peers().privateNetworks(),
                properties.dispatch().sharedNetworks(), properties.dispatch().networkBits(),
                properties.dispatch().networkBitsV6());
    }

    PeerAddresses(List<String> trustedProxies, List<String> privateNetworks) {
        this(trustedProxies, privateNetworks, List.of("127.0.0.0/8", "::1"), 24, 48);
    }

    PeerAddresses(List<String> trustedProxies, List<String> privateNetworks, List<String> sharedNetworks,
            int networkBits, int networkBitsV6) {
        this.trustedProxies = networks("starling.peers.trusted-proxies", trustedProxies);
        this.privateNetworks = networks("starling.peers.private-networks", privateNetworks);
        this.sharedNetworks = networks("starling.dispatch.shared-networks", sharedNetworks);
        this.networkBits = networkBits;
        this.networkBitsV6 = networkBitsV6;
    }

    /**
     * The network a host connecting from {@code client} belongs to, for spreading a work unit's replicas apart: its
     * address cut to {@code starling.dispatch.network-bits} (IPv4) or {@code network-bits-v6}, in CIDR notation
     * ({@code 203.0.113.0/24}); null when it cannot be told, when the rule is off, or for an address in one of the
     * {@code shared-networks} (no rule).
     */
    public String network(InetAddress client) {
        if (client == null || sharedNetworks.stream().anyMatch(n -> n.contains(client))) {
            return null;
        }
        byte[] bytes = client.getAddress();
        int bits = client instanceof Inet4Address ? networkBits : networkBitsV6;
        if (bits == 0) {
            return null;
        }
        for (int i = bits; i < bytes.length * 8; i++) {
            bytes[i / 8] &= (byte) ~(0x80 >> (i % 8));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes
        }
    }

    private static List<Network> networks(String setting, List<String> cidrs) {
        try {
            return Network.parseAll(cidrs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code address} is {@code host:port} with a port from 1 to 65535 (the host part is not used). */
    public static boolean isValid(String address) {
        return port(address) > 0;
    }

    /**
     * The address a call came from: the socket's peer, or, when that is a trusted proxy, the nearest address before
     * it in {@code x-forwarded-for} that is not a trusted proxy too (a client may put anything at its start, so it is
     * read from the end). Null when it cannot be told (a malformed header from a trusted proxy, no socket address).
     */
    /** The address an HTTP request came from, by the same rule ({@link #client(SocketAddress, String)}). */
    public InetAddress client(HttpServletRequest request) {
        return client(new InetSocketAddress(request.getRemoteAddr(), request.getRemotePort()),
                request.getHeader("X-Forwarded-For"));
    }

    public InetAddress client(SocketAddress remote, String forwardedFor) {
        if (!(remote instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return null;
        }
        InetAddress client = socket.getAddress();
        if (forwardedFor == null || !trusted(client)) {
            return client;
        }
        List<String> hops = new ArrayList<>(Arrays.asList(forwardedFor.split(",")));
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = literal(hops.get(i).strip());
            if (hop.isEmpty()) {
                return null;
            }
            client = hop.get();
            if (!trusted(client)) {
                return client;
            }
        }
        return client;
    }

    /**
     * Where peers are told to reach a worker that connects from {@code client} and asks to be reached at {@code
     * requested} ({@code host:port}; only its port is used): {@code <client>:<port>}, or empty when it serves no peers
     * or its address is not one to offer.
     */
    public Optional<String> advertised(InetAddress client, String requested) {
        int port = port(requested);
        if (client == null || port < 1 || !offerable(client)) {
            return Optional.empty();
        }
        String host = client.getHostAddress();
        int scope = host.indexOf('%');
        host = scope < 0 ? host : host.substring(0, scope);
        return Optional.of((client instanceof Inet4Address ? host : "[" + host + "]") + ":" + port);
    }

    /** Whether other workers may be sent to this address: a public one, or in a network the operator named. */
    public boolean offerable(InetAddress address) {
        return privateNetworks.stream().anyMatch(n -> n.contains(address))
                || PRIVATE.stream().noneMatch(n -> n.contains(address));
    }

    private boolean trusted(InetAddress address) {
        return trustedProxies.stream().anyMatch(n -> n.contains(address));
    }

    /** The port of {@code host:port}; 0 when it is not one. */
    private static int port(String address) {
        if (address == null || address.length() > 300) {
            return 0;
        }
        int colon = address.lastIndexOf(':');
        if (colon < 1 || colon == address.length() - 1
                || address.substring(0, colon).chars().anyMatch(Character::isWhitespace)) {
            return 0;
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port >= 1 && port <= 65535 ? port : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A literal IPv4 or IPv6 address (IPv6 maybe in brackets), never a name to resolve. */
    static Optional<InetAddress> literal(String text) {
        try {
            var v4 = IPV4.matcher(text);
            if (v4.matches()) {
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int b = Integer.parseInt(v4.group(i + 1));
                    if (b > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) b;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            String v6 = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            if (v6.isEmpty() || !v6.contains(":") || !v6.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return Optional.empty();
            }
            return Optional.of(InetAddress.getByName("[" + v6 + "]")); // in brackets: a literal or an error, no lookup
        } catch (UnknownHostException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A network in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}); a bare address is a network of one. */
    record Network(byte[] prefix, int bits) {

        static List<Network> parseAll(List<String> cidrs) {
            return cidrs.stream().map(String::strip).filter(c -> !c.isEmpty()).map(Network::parse).toList();
        }

        static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            InetAddress address = literal(slash < 0 ? cidr : cidr.substring(0, slash)).orElseThrow(() ->
                    new IllegalArgumentException("'" + cidr + "' is not a network (an IP address, or one with /bits)"));
            byte[] prefix = address.getAddress();
            int bits;
            try {
                bits = slash < 0 ? prefix.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > prefix.length * 8) {
                throw new IllegalArgumentException("'" + cidr + "': a network of " + (prefix.length * 8)
                        + "-bit addresses takes /0 to /" + (prefix.length * 8));
            }
            return new Network(prefix, bits);
        }

        /** Whether the address is in this network (of the same family: IPv4 never matches an IPv6 network). */
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
