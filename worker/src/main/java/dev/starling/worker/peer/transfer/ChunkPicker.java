package dev.starling.worker.peer.transfer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Rarest first, as in BitTorrent: of the chunks a fetch still wants, asks a peer for those the fewest peers
 * offer, so that rare chunks get copied (and served onward) before their holders leave. Ties are broken at
 * random, so that many workers fetching one blob at once ask for different chunks and can trade them.
 */
final class ChunkPicker {
    private ChunkPicker() {}

    /**
     * @param wanted chunks missing and not being fetched
     * @param offered chunks the peer holds
     * @param availability for each chunk, how many reachable peers hold it
     * @param max how many chunks to pick at most
     * @return chunk indexes, rarest first
     */
    static List<Integer> pick(BitSet wanted, BitSet offered, int[] availability, int max, Random random) {
        BitSet candidates = (BitSet) wanted.clone();
        candidates.and(offered);
        List<Integer> chunks = new ArrayList<>(candidates.cardinality());
        candidates.stream().forEach(chunks::add);
        Collections.shuffle(chunks, random);
        chunks.sort(Comparator.comparingInt(i -> availability[i])); // stable: ties stay shuffled
        return List.copyOf(chunks.subList(0, Math.min(max, chunks.size())));
    }
}
