package dev.starling.swarm.internal;

import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.WorkerServiceGrpc.WorkerServiceBlockingStub;
import dev.starling.swarm.Swarm;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the colluding hosts of a swarm share, as colluders who talk to each other would: how many replicas of each
 * work unit they hold together, so that each returns the agreed wrong output exactly where they hold a quorum of
 * replicas (and the right one elsewhere, to keep their standing); the pairs that request in tandem; the accounts they
 * share. The swarm knows the right answer of its trivial app, so it counts the wrong outputs that won.
 */
final class Collusion {
    /** Most volunteer accounts the colluders sign up ("many fresh accounts", as a cheap attacker would). */
    static final int MAX_ACCOUNTS = 50;

    private final Swarm.Strategy strategy;
    private final int quorum;
    private final BitSet colluders;
    private final Map<Long, AtomicInteger> held = new ConcurrentHashMap<>();
    /** per tandem pair: the second host's stub and its tasks, asked for by the first right after its own */
    private final Map<Integer, Tandem> tandems = new ConcurrentHashMap<>();
    private final Map<Integer, String> accounts = new ConcurrentHashMap<>();
    final LongAdder wrongReported = new LongAdder();

    Collusion(Swarm.Strategy strategy, int quorum, BitSet colluders) {
        this.strategy = strategy;
        this.quorum = quorum;
        this.colluders = colluders;
    }

    Swarm.Strategy strategy() {
        return strategy;
    }

    boolean isColluder(int index) {
        return colluders.get(index);
    }

    int count() {
        return colluders.cardinality();
    }

    /** A colluder received a replica of this work unit. */
    void received(long workUnitId) {
        held.computeIfAbsent(workUnitId, w -> new AtomicInteger()).incrementAndGet();
    }

    /** Whether the colluders hold a quorum of this work unit's replicas, so that the agreed wrong output can win. */
    boolean holdsQuorum(long workUnitId) {
        AtomicInteger n = held.get(workUnitId);
        return n != null && n.get() >= quorum;
    }

    /** The colluder's rank among colluders (0-based): its pair is rank / 2, its account rank % MAX_ACCOUNTS. */
    int rank(int index) {
        int rank = 0;
        for (int i = colluders.nextSetBit(0); i >= 0 && i < index; i = colluders.nextSetBit(i + 1)) {
            rank++;
        }
        return rank;
    }

    /**
     * The tandem pair of a colluder under {@link Swarm.Strategy#TANDEM}: the pair's first host asks for its batch and
     * at once for its partner's, with the partner's credentials, so the two requests arrive back to back; the partner
     * computes what it is handed. Null for the last colluder when their number is odd (it asks alone).
     */
    Tandem tandem(int index) {
        int rank = rank(index);
        if (rank / 2 * 2 + 1 >= count()) {
            return null;
        }
        return tandems.computeIfAbsent(rank / 2, p -> new Tandem());
    }

    /** Whether the colluder leads its tandem pair (asks for both). */
    boolean leads(int index) {
        return rank(index) % 2 == 0;
    }

    /** A tandem pair's hand-over: the partner's stub once it registered, and the batches asked for it. */
    static final class Tandem {
        volatile WorkerServiceBlockingStub partner;
        final BlockingQueue<RequestWorkResponse> handed = new LinkedBlockingQueue<>();
    }

    /** The account slot of a colluder under {@link Swarm.Strategy#ACCOUNTS}. */
    int accountSlot(int index) {
        return rank(index) % MAX_ACCOUNTS;
    }

    Map<Integer, String> accounts() {
        return accounts;
    }
}
