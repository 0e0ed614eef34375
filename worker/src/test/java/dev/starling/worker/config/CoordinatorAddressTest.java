package dev.starling.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoordinatorAddressTest {

    @Test
    void readsHostsAndIpv6LiteralsWithTheirPort() {
        assertThat(CoordinatorAddress.parse("localhost:7070")).isEqualTo(new CoordinatorAddress("localhost", 7070));
        assertThat(CoordinatorAddress.parse("[::1]:7070")).isEqualTo(new CoordinatorAddress("::1", 7070));
        assertThat(CoordinatorAddress.parse("[::1]:7070").toString()).isEqualTo("[::1]:7070");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "localhost:", ":7070", "localhost:http", "localhost:0", "localhost:70000", "::1:7070"})
    void refusesWhatIsNoHostAndPort(String text) {
        assertThatThrownBy(() -> CoordinatorAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
