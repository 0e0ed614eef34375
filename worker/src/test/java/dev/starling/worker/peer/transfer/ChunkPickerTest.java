package dev.starling.worker.peer.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkPickerTest {
    private static BitSet bits(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    @Test
    void picksTheRarestChunksThePeerOffersFirst() {
        int[] availability = {3, 1, 2, 1, 3};
        List<Integer> picks = ChunkPicker.pick(bits(0, 1, 2, 3, 4), bits(0, 1, 2, 4), availability, 3, new Random(1));
        assertThat(picks).containsExactly(1, 2, picks.get(2));
        assertThat(picks.get(2)).isIn(0, 4);
    }

    @Test
    void picksOnlyWantedChunksThePeerHolds() {
        List<Integer> picks = ChunkPicker.pick(bits(1, 2), bits(0, 2, 3), new int[] {1, 1, 1, 1}, 16, new Random(1));
        assertThat(picks).containsExactly(2);
    }

    @Test
    void breaksTiesAtRandomSoThatFetchersSpreadOverChunks() {
        Set<Integer> firstPicks = new HashSet<>();
        for (int seed = 0; seed < 50; seed++) {
            firstPicks.add(ChunkPicker.pick(bits(0, 1, 2, 3), bits(0, 1, 2, 3), new int[] {2, 2, 2, 2}, 1, new Random(seed)).get(0));
        }
        assertThat(firstPicks).hasSizeGreaterThan(1);
    }
}
