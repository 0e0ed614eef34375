package dev.starling.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoordinatorAddressTest {

    @Test
    void readsHostsAndIpv6LiteralsWithTheirPort() {
        assertThat(HostPort.parse("localhost:7070")).isEqualTo(new HostPort("localhost", 7070));
        assertThat(HostPort.parse("[::1]:7070")).isEqualTo(new HostPort("::1", 7070));
        assertThat(HostPort.parse("[::1]:7070").toString()).isEqualTo("[::1]:7070");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "localhost:", ":7070", "localhost:http", "localhost:0", "localhost:70000", "::1:7070"})
    void refusesWhatIsNoHostAndPort(String text) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsAHostWithoutAPortAndWritesItBackWithOne() {
        assertThat(HostPort.host(" peer.example.org ")).isEqualTo("peer.example.org");
        assertThat(HostPort.host("::1")).isEqualTo("::1");
        assertThat(HostPort.host("[2001:db8::7]")).isEqualTo("2001:db8::7");
        assertThat(new HostPort(HostPort.host("[2001:db8::7]"), 7070)).hasToString("[2001:db8::7]:7070");
        assertThat(new HostPort(HostPort.host("10.0.0.5"), 7070)).hasToString("10.0.0.5:7070");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "peer.example.org:7070", "[::1]:7070", "a b"})
    void refusesAHostWithAPortOrBlanks(String text) {
        assertThatThrownBy(() -> HostPort.host(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
