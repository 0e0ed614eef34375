package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.swarm.Swarm;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class CollusionTest {
    private static BitSet hosts(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    @Test
    void colludersLieOnlyWhereTogetherTheyHoldAQuorum() {
        Collusion c = new Collusion(Swarm.Strategy.PAIRS, 2, hosts(3, 7));
        c.received(42);
        assertThat(c.holdsQuorum(42)).as("one replica: the other may be an honest host's").isFalse();
        c.received(42);
        assertThat(c.holdsQuorum(42)).isTrue();
        assertThat(c.holdsQuorum(43)).isFalse();
    }

    @Test
    void tandemPairsAreConsecutiveColludersAndAnOddOneAsksAlone() {
        Collusion c = new Collusion(Swarm.Strategy.TANDEM, 2, hosts(1, 4, 9));
        assertThat(c.tandem(1)).isSameAs(c.tandem(4)).isNotNull();
        assertThat(c.leads(1)).isTrue();
        assertThat(c.leads(4)).isFalse();
        assertThat(c.tandem(9)).isNull();
    }

    @Test
    void atMostFiftyAccountsAreSignedUp() {
        BitSet many = new BitSet();
        many.set(0, 120);
        Collusion c = new Collusion(Swarm.Strategy.ACCOUNTS, 2, many);
        assertThat(c.accountSlot(49)).isEqualTo(49);
        assertThat(c.accountSlot(50)).isZero();
        assertThat(c.accountSlot(119)).isEqualTo(19);
    }
}
