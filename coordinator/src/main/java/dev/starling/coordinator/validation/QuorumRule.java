package dev.starling.coordinator.validation;

import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The quorum rule, the platform's core decision, as a pure function: given a work unit's state, its limits and
 * its replicas as they are now, validate it with a canonical group, ask for more replicas, fail it, or wait. No
 * database, clock or Spring: {@link WorkUnitEvaluator} reads the replicas under the work unit's row lock, asks
 * here, and has what was decided written. Counts come from the replicas every time, never from counters, so a
 * repeated or recovered step cannot count anything twice.
 *
 * <ol>
 *   <li>errors (ERROR, TIMED_OUT) at {@code maxErrors}: fail, before anything else;</li>
 *   <li>successes (REPORTED, INCONCLUSIVE) at {@code quorum}, or one of a replica sent alone: group them by
 *       agreement; the largest group that holds a replica of a host in good standing (not quarantined when it was
 *       sent) and reaches its quorum validates: its first member is canonical, the group VALID, the other successes
 *       INVALID. A group's quorum is {@code quorum}, or one when it holds a replica sent alone to a trusted host
 *       (adaptive replication). Otherwise every REPORTED success becomes INCONCLUSIVE and at least one more result is
 *       needed;</li>
 *   <li>replicas still needed = quorum - (largest group, or successes) - pending (none while a replica sent alone
 *       is on its way); ask for them up to
 *       {@code maxResults} replicas in all (cancelled ones not counted, nor those sent to a quarantined host or one
 *       on probation: they never decide alone, and a re-checked work unit whose new replicas went to such hosts must
 *       not fail for them); at that limit with nothing pending, fail.</li>
 * </ol>
 *
 * <p>Grouping depends on the {@link Equivalence}: one that is transitive (equal hashes, an app comparing canonical
 * forms) partitions the successes ({@link #groups}: each joins the first group whose first member it agrees with);
 * one that is not (a numeric tolerance: 1.0 ~ 1.4 ~ 1.8, but not 1.0 ~ 1.8) gives the groups in which every pair
 * agrees ({@link #cliques}), and a success outside the chosen group is judged against its canonical output, as a late
 * one is. Adaptive replication is a replica's flag ({@link ReplicaRow#alone}), not other {@link Limits}: when the
 * replica sent alone fails or times out, the work unit needs its full quorum again, so it is never left short. A spot
 * check is a replica of a validated work unit, judged against the known answer by {@link #judgeLate}.
 */
final class QuorumRule {
    private QuorumRule() {}

    /** The redundancy a work unit was given by its job. */
    record Limits(int quorum, int maxResults, int maxErrors) {}

    /**
     * Whether two outputs with different hashes agree all the same (today: the app's {@code equivalent}). Equal
     * hashes always agree, without asking.
     */
    @FunctionalInterface
    interface Equivalence {
        boolean equivalent(byte[] a, byte[] b);

        /**
         * Whether outputs that agree with a third agree with each other. When not, groups are those in which every pair
         * agrees ({@link #cliques}).
         */
        default boolean transitive() {
            return true;
        }
    }

    /** The most groups {@link #cliques} lists: beyond, the search stops (it never happens with a handful of results). */
    static final int MAX_CLIQUES = 10_000;

    /** A replica moved to a judged state, from the state it was read in. */
    record Judgement(ReplicaRow replica, ReplicaState to) {}

    /** What an open work unit needs now. */
    sealed interface Verdict {
        /** Replicas judged by this verdict, in replica (id) order. */
        List<Judgement> judgements();
    }

    /**
     * A quorum agrees: the work unit is VALIDATED with {@code canonical}'s output; {@code judgements} make the
     * group VALID and the other successes INVALID; replicas still pending are no longer needed.
     */
    record Validate(ReplicaRow canonical, List<Judgement> judgements, boolean cancelPending) implements Verdict {}

    /** No quorum yet, and too few replicas on their way: create {@code count} more. */
    record MoreReplicas(int count, List<Judgement> judgements) implements Verdict {}

    /** Nothing to do now: enough replicas are on their way (or the work unit is closed). */
    record Wait(List<Judgement> judgements) implements Verdict {}

    /** Past its limits: the work unit FAILS, and with it the job. */
    record Fail(String reason, List<Judgement> judgements) implements Verdict {}

    /**
     * What the work unit needs given its replicas (all of them, in id order). The judgements of a verdict other than
     * {@link Validate} make REPORTED successes INCONCLUSIVE when there are enough successes but no quorum agrees.
     */
    static Verdict decide(WorkUnitState state, Limits limits, List<ReplicaRow> replicas, Equivalence equivalence) {
        if (state != WorkUnitState.OPEN) {
            return new Wait(List.of());
        }
        List<ReplicaRow> successes = replicas.stream().filter(r -> r.state().isSuccess()).toList();
        List<ReplicaRow> errors = replicas.stream().filter(r -> r.state().isError()).toList();
        long pending = replicas.stream().filter(r -> r.state().isPending()).count();
        long total = replicas.stream().filter(r -> r.state() != ReplicaState.CANCELLED && !r.quarantined()).count();

        if (errors.size() >= limits.maxErrors()) {
            ReplicaRow last = errors.get(errors.size() - 1);
            String why = last.state() == ReplicaState.TIMED_OUT ? "timed out" : last.error();
            return new Fail(errors.size() + " of its results failed (maxErrors " + limits.maxErrors() + "); last: "
                    + why, List.of());
        }
        List<Judgement> inconclusive = List.of();
        long needed;
        if (successes.size() >= limits.quorum() || successes.stream().anyMatch(QuorumRule::standsAlone)) {
            List<List<ReplicaRow>> groups = equivalence.transitive() ? groups(successes, equivalence)
                    : cliques(successes, equivalence);
            // the largest group that may decide (one with a host in good standing, at its quorum), else the largest
            List<ReplicaRow> best = null;
            List<ReplicaRow> largest = groups.get(0);
            for (List<ReplicaRow> g : groups) {
                if (g.size() > largest.size()) {
                    largest = g;
                }
                boolean atQuorum = g.size() >= limits.quorum() || g.stream().anyMatch(QuorumRule::standsAlone);
                if (trusted(g) && atQuorum && (best == null || g.size() > best.size())) {
                    best = g;
                }
            }
            if (best != null) {
                return validate(best, successes, pending > 0, equivalence);
            }
            inconclusive = successes.stream().filter(r -> r.state() == ReplicaState.REPORTED)
                    .map(r -> new Judgement(r, ReplicaState.INCONCLUSIVE)).toList();
            // a quorum of quarantined hosts alone needs one more result, of a host in good standing
            needed = Math.max(1, limits.quorum() - largest.size());
        } else {
            needed = limits.quorum() - successes.size();
        }
        // a replica on its way alone to a trusted host stands for a whole quorum
        boolean aloneOnItsWay = replicas.stream().anyMatch(r -> r.alone() && !r.quarantined() && r.state().isPending());
        long missing = aloneOnItsWay ? 0 : needed - pending;
        if (missing <= 0) {
            return new Wait(inconclusive);
        }
        long room = limits.maxResults() - total;
        if (room <= 0) {
            if (pending == 0) {
                return new Fail("no quorum of " + limits.quorum() + " agreeing results after " + total
                        + " results (maxResults " + limits.maxResults() + ")", inconclusive);
            }
            return new Wait(inconclusive);
        }
        return new MoreReplicas((int) Math.min(missing, room), inconclusive);
    }

    /**
     * The group validates: its first member is canonical, the group VALID; the other successes INVALID, or, when
     * agreement is not transitive, VALID if they agree with the canonical output (they may disagree with another
     * member of the group).
     */
    private static Validate validate(List<ReplicaRow> winners, List<ReplicaRow> successes, boolean hasPending,
            Equivalence equivalence) {
        ReplicaRow canonical = winners.get(0);
        List<Judgement> judgements = new ArrayList<>(successes.size());
        for (ReplicaRow r : successes) {
            boolean valid = winners.contains(r) || (!equivalence.transitive()
                    && agree(canonical.outputHash(), canonical.output(), r.outputHash(), r.output(), equivalence));
            judgements.add(new Judgement(r, valid ? ReplicaState.VALID : ReplicaState.INVALID));
        }
        return new Validate(canonical, judgements, hasPending);
    }

    /** A success sent alone to a host trusted for the app (and not quarantined): a quorum by itself. */
    private static boolean standsAlone(ReplicaRow r) {
        return r.alone() && !r.quarantined() && r.state().isSuccess();
    }

    /** Whether a group of agreeing results holds one of a host in good standing (not quarantined when sent). */
    private static boolean trusted(List<ReplicaRow> group) {
        return group.stream().anyMatch(r -> !r.quarantined());
    }

    /**
     * Groups successes by agreement, in report order: each joins the first group whose first member it agrees with.
     * Right for an equivalence that is transitive (equal hashes; an app comparing canonical forms). For one that is
     * not (a tolerance: 1.0 ~ 1.4 ~ 1.8, but not 1.0 ~ 1.8), members of one group may disagree with each other.
     */
    static List<List<ReplicaRow>> groups(List<ReplicaRow> successes, Equivalence equivalence) {
        List<List<ReplicaRow>> groups = new ArrayList<>();
        for (ReplicaRow r : successes) {
            List<ReplicaRow> home = null;
            for (List<ReplicaRow> g : groups) {
                ReplicaRow first = g.get(0);
                if (agree(first.outputHash(), first.output(), r.outputHash(), r.output(), equivalence)) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(r);
        }
        return groups;
    }

    /**
     * The groups of successes in which every pair agrees, for an agreement that is not transitive: every maximal such
     * group (a success may be in several), each in report (id) order, the groups ordered by their members' ids
     * (lexicographically), so that of two groups of one size the one formed by the earlier reports comes first.
     * Bron-Kerbosch with pivoting over the agreement graph (each pair compared once); it stops after
     * {@link #MAX_CLIQUES} groups.
     */
    static List<List<ReplicaRow>> cliques(List<ReplicaRow> successes, Equivalence equivalence) {
        int n = successes.size();
        BitSet[] agrees = new BitSet[n];
        for (int i = 0; i < n; i++) {
            agrees[i] = new BitSet(n);
        }
        for (int i = 0; i < n; i++) {
            ReplicaRow a = successes.get(i);
            for (int j = i + 1; j < n; j++) {
                ReplicaRow b = successes.get(j);
                if (agree(a.outputHash(), a.output(), b.outputHash(), b.output(), equivalence)) {
                    agrees[i].set(j);
                    agrees[j].set(i);
                }
            }
        }
        List<BitSet> found = new ArrayList<>();
        BitSet all = new BitSet(n);
        all.set(0, n);
        extend(new BitSet(n), all, new BitSet(n), agrees, found);
        found.sort((x, y) -> {
            for (int i = x.nextSetBit(0), j = y.nextSetBit(0); ; i = x.nextSetBit(i + 1), j = y.nextSetBit(j + 1)) {
                if (i != j) {
                    return i < 0 ? -1 : j < 0 ? 1 : Integer.compare(i, j);
                }
                if (i < 0) {
                    return 0;
                }
            }
        });
        List<List<ReplicaRow>> groups = new ArrayList<>(found.size());
        for (BitSet members : found) {
            groups.add(members.stream().mapToObj(successes::get).toList());
        }
        return groups;
    }

    /** Bron-Kerbosch: every maximal clique containing {@code r}, some of {@code p} and none of {@code x}. */
    private static void extend(BitSet r, BitSet p, BitSet x, BitSet[] agrees,
            List<BitSet> found) {
        if (found.size() >= MAX_CLIQUES) {
            return;
        }
        if (p.isEmpty() && x.isEmpty()) {
            found.add((BitSet) r.clone());
            return;
        }
        // the pivot: the vertex of p or x with the most neighbours in p; only its non-neighbours are tried
        BitSet px = (BitSet) p.clone();
        px.or(x);
        int pivot = -1;
        int most = -1;
        for (int u = px.nextSetBit(0); u >= 0; u = px.nextSetBit(u + 1)) {
            BitSet in = (BitSet) agrees[u].clone();
            in.and(p);
            if (in.cardinality() > most) {
                most = in.cardinality();
                pivot = u;
            }
        }
        BitSet candidates = (BitSet) p.clone();
        candidates.andNot(agrees[pivot]);
        for (int v = candidates.nextSetBit(0); v >= 0; v = candidates.nextSetBit(v + 1)) {
            BitSet nextR = (BitSet) r.clone();
            nextR.set(v);
            BitSet nextP = (BitSet) p.clone();
            nextP.and(agrees[v]);
            BitSet nextX = (BitSet) x.clone();
            nextX.and(agrees[v]);
            extend(nextR, nextP, nextX, agrees, found);
            p.clear(v);
            x.set(v);
        }
    }

    /**
     * A result reported after its work unit was validated: VALID when it agrees with the canonical output, else
     * INVALID.
     */
    static ReplicaState judgeLate(String canonicalHash, byte[] canonicalOutput, String hash, byte[] output,
            Equivalence equivalence) {
        return agree(canonicalHash, canonicalOutput, hash, output, equivalence) ? ReplicaState.VALID
                : ReplicaState.INVALID;
    }

    /** Equal hashes always agree; other outputs when the equivalence says so (a missing output never does). */
    private static boolean agree(String hashA, byte[] a, String hashB, byte[] b, Equivalence equivalence) {
        return hashA.equals(hashB) || (a != null && b != null && equivalence.equivalent(a, b));
    }
}
