package dev.starling.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address peers are sent to: the worker's as the coordinator sees it, never a private one unless allowed. */
class PeerAddressesTest {
    private final PeerAddresses open = new PeerAddresses(List.of(), List.of());
    private final PeerAddresses proxied = new PeerAddresses(List.of("10.1.0.0/16", "fd00::1"), List.of("10.9.0.0/16"));

    @Test
    void onlyThePortIsTheWorkersChoiceAndOnlyPublicAddressesAreOffered() {
        assertThat(open.advertised(ip("198.51.100.7"), "evil.example.org:7070")).contains("198.51.100.7:7070");
        assertThat(open.advertised(ip("2001:db8::5"), "[::1]:7070")).contains("[2001:db8:0:0:0:0:0:5]:7070");
        assertThat(open.advertised(ip("198.51.100.7"), "")).as("serves no peers").isEmpty();
        for (String hidden : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fd12::1", "fe80::1", "ff02::1")) {
            assertThat(open.advertised(ip(hidden), "x:7070")).as(hidden).isEmpty();
        }
        assertThat(open.offerable(ip("172.32.0.1"))).as("just past 172.16/12").isTrue();
        assertThat(proxied.advertised(ip("10.9.3.4"), "x:7070")).as("a network the operator allows")
                .contains("10.9.3.4:7070");
        assertThat(proxied.advertised(ip("10.8.3.4"), "x:7070")).isEmpty();
    }

    @Test
    void aForwardedAddressIsBelievedOnlyFromATrustedProxyAndReadFromTheEnd() {
        InetSocketAddress proxy = new InetSocketAddress(ip("10.1.0.5"), 40000);
        InetSocketAddress stranger = new InetSocketAddress(ip("198.51.100.20"), 40000);

        assertThat(open.client(stranger, "198.51.100.7")).as("not a proxy of ours").isEqualTo(ip("198.51.100.20"));
        assertThat(proxied.client(stranger, "198.51.100.7")).isEqualTo(ip("198.51.100.20"));
        assertThat(proxied.client(proxy, null)).as("no header: the proxy itself").isEqualTo(ip("10.1.0.5"));
        assertThat(proxied.client(proxy, "198.51.100.7")).isEqualTo(ip("198.51.100.7"));
        assertThat(proxied.client(proxy, "6.6.6.6, 198.51.100.8")).as("the client wrote the first entry")
                .isEqualTo(ip("198.51.100.8"));
        assertThat(proxied.client(proxy, "198.51.100.9, 10.1.7.7")).as("behind two proxies of ours")
                .isEqualTo(ip("198.51.100.9"));
        assertThat(proxied.client(proxy, "[2001:db8::9]")).isEqualTo(ip("2001:db8::9"));
        assertThat(proxied.client(proxy, "localhost")).as("a name is never looked up").isNull();
        assertThat(proxied.client(proxy, "1.2.3.4, 999.1.1.1")).isNull();
    }

    @Test
    void literalsAreNeverResolvedAndNetworksAreCheckedAtStart() {
        assertThat(PeerAddresses.literal("example.org")).isEmpty();
        assertThat(PeerAddresses.literal("1.2.3")).isEmpty();
        assertThat(PeerAddresses.literal("::ffff:198.51.100.7")).as("an IPv4-mapped address is IPv4")
                .contains(ip("198.51.100.7"));
        assertThatThrownBy(() -> new PeerAddresses(List.of("10.0.0.0/33"), List.of()))
                .hasMessageContaining("starling.peers.trusted-proxies").hasMessageContaining("/0 to /32");
        assertThatThrownBy(() -> new PeerAddresses(List.of(), List.of("lan")))
                .hasMessageContaining("starling.peers.private-networks: 'lan' is not a network");
        assertThat(PeerAddresses.isValid("host:0")).isFalse();
        assertThat(PeerAddresses.isValid("[::1]:7070")).isTrue();
    }

    private static InetAddress ip(String literal) {
        return PeerAddresses.literal(literal).orElseThrow();
    }
}
