package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WrongHostsTest {

    @ParameterizedTest
    @CsvSource({"1000, 0.2, 200", "100, 0.29, 29", "10, 0.25, 2", "3, 0.5, 1", "1, 0.99, 0", "7, 0, 0", "7, 1, 7",
        "5000, 0.001, 5", "999, 0.1, 99"})
    void theCountIsTheFloorOfHostsTimesFraction(int hosts, double fraction, int count) {
        assertThat(WrongHosts.count(hosts, fraction)).isEqualTo(count);
        assertThat(WrongHosts.choose(hosts, fraction, 42).cardinality()).isEqualTo(count);
    }

    @Test
    void theSameSeedPicksTheSameHosts() {
        BitSet a = WrongHosts.choose(1000, 0.2, 7);
        BitSet b = WrongHosts.choose(1000, 0.2, 7);
        BitSet other = WrongHosts.choose(1000, 0.2, 8);

        assertThat(a).isEqualTo(b);
        assertThat(other).isNotEqualTo(a);
        assertThat(a.stream()).allMatch(i -> i >= 0 && i < 1000);
    }

    @Test
    void theWrongHostsAreSpreadNotTheFirstOnes() {
        BitSet wrong = WrongHosts.choose(1000, 0.2, 1);

        assertThat(wrong.get(0, 200).cardinality()).isLessThan(200);
        assertThat(wrong.get(500, 1000).cardinality()).isPositive();
    }
}
