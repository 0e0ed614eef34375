package dev.starling.coordinator.validation;

import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitState;
import java.util.ArrayList;
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
 *   <li>successes (REPORTED, INCONCLUSIVE) at {@code quorum}: group them by agreement; the largest group that holds
 *       a replica of a host in good standing (not quarantined when it was sent), if it reaches the quorum,
 *       validates: its first member is canonical, the group VALID, the other successes INVALID. Otherwise every
 *       REPORTED success becomes INCONCLUSIVE and at least one more result is needed;</li>
 *   <li>replicas still needed = quorum - (largest group, or successes) - pending; ask for them up to
 *       {@code maxResults} replicas in all (cancelled ones not counted); at that limit with nothing pending,
 *       fail.</li>
 * </ol>
 *
 * <p>Where later rules fit: a validation kind brings its own {@link Equivalence} (and, for a numeric tolerance,
 * which is not transitive, a grouping in which every pair of a group agrees instead of {@link #groups}'s
 * agreement with the group's first member); adaptive replication gives a work unit other {@link Limits} (a quorum
 * of one for a long-trusted host's replica); a spot check judges a replica against a known answer as
 * {@link #judgeLate} judges one against the canonical output.
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
    }

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
        long total = replicas.stream().filter(r -> r.state() != ReplicaState.CANCELLED).count();

        if (errors.size() >= limits.maxErrors()) {
            ReplicaRow last = errors.get(errors.size() - 1);
            String why = last.state() == ReplicaState.TIMED_OUT ? "timed out" : last.error();
            return new Fail(errors.size() + " of its results failed (maxErrors " + limits.maxErrors() + "); last: "
                    + why, List.of());
        }
        List<Judgement> inconclusive = List.of();
        long needed;
        if (successes.size() >= limits.quorum()) {
            List<List<ReplicaRow>> groups = groups(successes, equivalence);
            // the largest group that may decide (one with a host in good standing), else the largest of all
            List<ReplicaRow> best = null;
            List<ReplicaRow> largest = groups.get(0);
            for (List<ReplicaRow> g : groups) {
                if (g.size() > largest.size()) {
                    largest = g;
                }
                if (trusted(g) && (best == null || g.size() > best.size())) {
                    best = g;
                }
            }
            if (best != null && best.size() >= limits.quorum()) {
                return validate(best, successes, pending > 0);
            }
            inconclusive = successes.stream().filter(r -> r.state() == ReplicaState.REPORTED)
                    .map(r -> new Judgement(r, ReplicaState.INCONCLUSIVE)).toList();
            // a quorum of quarantined hosts alone needs one more result, of a host in good standing
            needed = Math.max(1, limits.quorum() - largest.size());
        } else {
            needed = limits.quorum() - successes.size();
        }
        long missing = needed - pending;
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

    private static Validate validate(List<ReplicaRow> winners, List<ReplicaRow> successes, boolean hasPending) {
        List<Judgement> judgements = new ArrayList<>(successes.size());
        for (ReplicaRow r : successes) {
            judgements.add(new Judgement(r, winners.contains(r) ? ReplicaState.VALID : ReplicaState.INVALID));
        }
        return new Validate(winners.get(0), judgements, hasPending);
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
