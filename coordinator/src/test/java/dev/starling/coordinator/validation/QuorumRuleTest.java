package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.validation.QuorumRule.Equivalence;
import dev.starling.coordinator.validation.QuorumRule.Fail;
import dev.starling.coordinator.validation.QuorumRule.Limits;
import dev.starling.coordinator.validation.QuorumRule.MoreReplicas;
import dev.starling.coordinator.validation.QuorumRule.Validate;
import dev.starling.coordinator.validation.QuorumRule.Verdict;
import dev.starling.coordinator.validation.QuorumRule.Wait;
import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The quorum rule, table by table: no Spring, no database. Each row is a work unit's limits
 * ({@code quorum/maxResults/maxErrors}), its replicas in id order (1, 2, ...) and the verdict.
 *
 * <p>A replica is {@code STATE[:output][!]}: U unsent, P in progress, R reported, E error, T timed out, I
 * inconclusive, V valid, X invalid, C cancelled; {@code !} marks one sent to a quarantined host, {@code *} one sent
 * alone to a trusted host (adaptive replication). A replica's hash is
 * its output's, so equal outputs always agree. An error's message is {@code crash <id>}.
 *
 * <p>A verdict is {@code validate #canonical}, {@code more N}, {@code wait} or {@code fail: reason}, then the
 * replicas it judges, by the state they move to, and whether pending replicas are cancelled.
 */
class QuorumRuleTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                   | limits | replicas        | verdict
            two agree                                | 2/6/3  | R:a R:a         | validate #1; VALID 1 2
            the agreeing group wins, the other loses | 2/6/3  | R:a R:b R:a     | validate #1; VALID 1 3; INVALID 2
            the canonical is the group's first       | 2/6/3  | R:b R:a R:a     | validate #2; VALID 2 3; INVALID 1
            of two equal groups, the first formed    | 2/6/3  | R:a R:b R:b R:a | validate #1; VALID 1 4; INVALID 2 3
            replicas on their way are cancelled      | 2/6/3  | R:a R:a P U     | validate #1; VALID 1 2; cancel pending
            an error beside a quorum is not judged   | 2/6/3  | R:a E R:a       | validate #1; VALID 1 3
            cancelled replicas count for nothing     | 2/6/3  | C C R:a R:a     | validate #3; VALID 3 4
            a quorum of three                        | 3/6/3  | R:a R:a R:a     | validate #1; VALID 1 2 3
            a quorum of one                          | 1/3/3  | R:a             | validate #1; VALID 1
            """)
    void aQuorumThatAgreesValidates(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                  | limits | replicas    | verdict
            a fresh work unit waits                 | 2/6/3  | U U         | wait
            one reported, one on its way            | 2/6/3  | R:a P       | wait
            one reported, nothing on its way        | 2/6/3  | R:a         | more 1
            two disagree: a tie-breaker             | 2/6/3  | R:a R:b     | more 1; INCONCLUSIVE 1 2
            two disagree, tie-breakers on their way | 2/6/3  | R:a R:b P P | wait; INCONCLUSIVE 1 2
            inconclusive ones are not judged again  | 2/6/3  | I:a I:b P   | wait
            a third opinion agreeing with nobody    | 2/6/3  | I:a I:b R:c | more 1; INCONCLUSIVE 3
            short of a quorum of three by one       | 3/6/3  | R:a R:a R:b | more 1; INCONCLUSIVE 1 2 3
            two of three in, the third on its way   | 3/6/3  | R:a R:a P   | wait
            """)
    void withoutAgreementItAsksForMore(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                 | limits | replicas      | verdict
            an error gets a replacement            | 2/6/3  | R:a E         | more 1
            a timeout gets a replacement           | 2/6/3  | R:a T         | more 1
            two errors, two replacements           | 2/6/3  | E E           | more 2
            two errors, replacements on their way  | 2/6/3  | E E P P       | wait
            errors at maxErrors fail it            | 2/6/3  | E E E         | fail: 3 of its results failed (maxErrors 3); last: crash 3
            last: the last replica's, not report's | 2/6/3  | T E E         | fail: 3 of its results failed (maxErrors 3); last: crash 3
            a timeout as the last error            | 2/6/3  | E E T         | fail: 3 of its results failed (maxErrors 3); last: timed out
            errors at their limit beat a quorum    | 2/6/3  | R:a R:a E E E | fail: 3 of its results failed (maxErrors 3); last: crash 5
            """)
    void errorsGetReplacementsUpToMaxErrors(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                  | limits | replicas        | verdict
            at maxResults, nothing pending          | 2/4/3  | R:a R:b R:c R:d | fail: no quorum of 2 agreeing results after 4 results (maxResults 4); INCONCLUSIVE 1 2 3 4
            at maxResults, one still pending        | 2/4/3  | R:a R:b R:c P   | wait; INCONCLUSIVE 1 2 3
            errors count toward maxResults          | 2/4/3  | R:a R:b E E     | fail: no quorum of 2 agreeing results after 4 results (maxResults 4); INCONCLUSIVE 1 2
            cancelled ones do not count             | 2/4/3  | R:a R:b C C     | more 1; INCONCLUSIVE 1 2
            no more than maxResults leaves room for | 3/4/3  | R:a R:b R:c     | more 1; INCONCLUSIVE 1 2 3
            replacements for errors, capped too     | 2/3/3  | E E             | more 1
            all inconclusive already, no room       | 2/4/3  | I:a I:b I:c I:d | fail: no quorum of 2 agreeing results after 4 results (maxResults 4)
            both limits at once: errors first       | 2/4/2  | R:a R:b E E     | fail: 2 of its results failed (maxErrors 2); last: crash 4
            both limits at once, no successes       | 2/3/3  | E E E           | fail: 3 of its results failed (maxErrors 3); last: crash 3
            """)
    void itFailsPastItsLimits(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                     | limits | replicas               | verdict
            quarantined hosts alone never decide       | 2/6/3  | R:a! R:a!              | more 1; INCONCLUSIVE 1 2
            a host in good standing makes it count     | 2/6/3  | R:a! R:a! R:a          | validate #1; VALID 1 2 3
            one quarantined, one in good standing      | 2/6/3  | R:a! R:a               | validate #1; VALID 1 2
            a trusted group too small               | 2/6/3  | R:a! R:a! R:b          | more 1; INCONCLUSIVE 1 2 3
            a trusted group beats a larger untrusted   | 2/6/3  | R:a! R:a! R:a! R:b R:b | validate #4; VALID 4 5; INVALID 1 2 3
            waiting for a host in good standing        | 2/6/3  | I:a! I:a! P            | wait
            a quorum of one, quarantined               | 1/3/3  | R:a!                   | more 1; INCONCLUSIVE 1
            they do not use up maxResults              | 2/4/3  | R:a! R:a! R:a! R:a!    | more 1; INCONCLUSIVE 1 2 3 4
            only the others count toward it            | 2/3/3  | R:a R:b! R:b! R:c      | more 1; INCONCLUSIVE 1 2 3 4
            """)
    void quarantinedHostsDecideOnlyBesideAHostInGoodStanding(String name, String limits, String replicas,
            String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                     | equivalence | limits | replicas          | verdict
            other bytes disagree if the app says so    | equal       | 2/6/3  | R:a R:A           | more 1; INCONCLUSIVE 1 2
            other bytes agree if the app says so       | ignore-case | 2/6/3  | R:a R:A           | validate #1; VALID 1 2
            the canonical is the group's first         | ignore-case | 2/6/3  | R:A R:b R:a       | validate #1; VALID 1 3; INVALID 2
            equal hashes agree without the app         | never       | 2/6/3  | R:a R:a           | validate #1; VALID 1 2
            tolerance: agree with the group's first    | within-0.5  | 2/6/3  | R:1.0 R:1.4 R:1.8 | validate #1; VALID 1 2; INVALID 3
            not transitive: 1.0 and 1.8 both VALID     | within-0.5  | 2/6/3  | R:1.4 R:1.0 R:1.8 | validate #1; VALID 1 2 3
            tolerance: groups follow report order      | within-0.5  | 3/6/3  | R:1.0 R:1.8 R:1.4 | more 1; INCONCLUSIVE 1 2 3
            """)
    void equivalenceThatIsNotEquality(String name, String equivalence, String limits, String replicas,
            String verdict) {
        assertThat(describe(decide(limits, replicas, EQUIVALENCES.get(equivalence)))).isEqualTo(verdict);
    }

    /**
     * An agreement that is not transitive (a numeric tolerance, {@code pairwise-0.5}: numbers within 0.5): the
     * canonical group is one in which every pair agrees, the largest one, of equal ones the earliest formed; a success
     * outside it is VALID when it agrees with the canonical output (as a late report would be).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                       | limits | replicas                | verdict
            a pair within the tolerance                  | 2/6/3  | R:1.0 R:1.4             | validate #1; VALID 1 2
            a chain: the earliest pair, 1.8 too far      | 2/6/3  | R:1.0 R:1.4 R:1.8       | validate #1; VALID 1 2; INVALID 3
            a chain in another order                     | 2/6/3  | R:1.4 R:1.0 R:1.8       | validate #1; VALID 1 2 3
            no three agree pairwise                      | 3/6/3  | R:1.0 R:1.8 R:1.4       | more 1; INCONCLUSIVE 1 2 3
            three agree that first-member grouping split | 3/6/3  | R:1.0 R:1.4 R:1.8 R:1.7 | validate #2; VALID 1 2 3 4
            the largest group wins over the earliest     | 2/6/3  | R:1.0 R:1.2 R:5.0 R:5.1 R:5.2 | validate #3; VALID 3 4 5; INVALID 1 2
            outside the group, far from the canonical    | 3/6/3  | R:2.0 R:1.4 R:2.4 R:2.5 | validate #1; VALID 1 3 4; INVALID 2
            quarantined pairs alone never decide         | 2/6/3  | R:1.0! R:1.2! R:1.9     | more 1; INCONCLUSIVE 1 2 3
            a trusted member makes the group count       | 2/6/3  | R:1.0! R:1.2 R:1.9      | validate #1; VALID 1 2; INVALID 3
            equal hashes agree without the tolerance     | 2/6/3  | R:x R:x                 | validate #1; VALID 1 2
            """)
    void agreementThatIsNotTransitiveTakesAGroupInWhichEveryPairAgrees(String name, String limits, String replicas,
            String verdict) {
        assertThat(describe(decide(limits, replicas, PAIRWISE))).isEqualTo(verdict);
    }

    @Test
    void cliquesAreEveryMaximalGroupInWhichAllPairsAgreeEarliestFirst() {
        List<List<ReplicaRow>> cliques = QuorumRule.cliques(replicas("R:1.0 R:1.4 R:1.8 R:1.7 R:9.0"), PAIRWISE);
        assertThat(cliques).extracting(g -> g.stream().map(ReplicaRow::id).toList())
                .containsExactly(List.of(1L, 2L), List.of(2L, 3L, 4L), List.of(5L));
    }

    /**
     * The edge cases a transitioner must get right: results reported late (after a timeout, at the result limit),
     * or while others are being judged, and replacements that must be asked for once.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                 | limits | replicas        | verdict
            late report after timeout: counts      | 2/6/3  | R:a R:a U       | validate #1; VALID 1 2; cancel pending
            a timeout's replacement asked once     | 2/6/3  | R:a T P         | wait
            reported while others are judged       | 2/6/3  | I:a I:b R:a     | validate #1; VALID 1 3; INVALID 2
            reported in one batch: judged together | 2/6/3  | R:a R:a R:a     | validate #1; VALID 1 2 3
            an error while a tie-breaker is asked  | 2/6/3  | I:a I:b E       | more 1
            late report at maxResults: a quorum    | 2/4/3  | I:a I:b I:c R:a | validate #1; VALID 1 4; INVALID 2 3
            late report and its replacement        | 2/6/3  | I:a I:b R:b R:b | validate #2; VALID 2 3 4; INVALID 1
            """)
    void lateAndConcurrentReports(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    @ParameterizedTest
    @EnumSource(value = WorkUnitState.class, names = "OPEN", mode = EnumSource.Mode.EXCLUDE)
    void aClosedWorkUnitNeedsNothing(WorkUnitState state) {
        Verdict verdict = QuorumRule.decide(state, new Limits(2, 6, 3), replicas("R:a R:a E E E"), EQUAL);
        assertThat(describe(verdict)).isEqualTo("wait");
    }

    @ParameterizedTest(name = "canonical {0}, late {1}, {2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # canonical | late | equivalence | judged
            a           | a    | never       | VALID
            a           | b    | equal       | INVALID
            a           | A    | ignore-case | VALID
            a           | A    | equal       | INVALID
            1.0         | 1.4  | within-0.5  | VALID
            """)
    void aReportAfterValidationIsJudgedAgainstTheCanonicalOutput(String canonical, String late, String equivalence,
            ReplicaState judged) {
        assertThat(QuorumRule.judgeLate(hash(canonical), bytes(canonical), hash(late), bytes(late),
                EQUIVALENCES.get(equivalence))).isEqualTo(judged);
    }

    @Test
    void aCanonicalResultWithoutItsOutputAgreesOnlyByHash() {
        assertThat(QuorumRule.judgeLate(hash("a"), null, hash("a"), bytes("a"), ALWAYS)).isEqualTo(ReplicaState.VALID);
        assertThat(QuorumRule.judgeLate(hash("a"), null, hash("b"), bytes("b"), ALWAYS))
                .isEqualTo(ReplicaState.INVALID);
    }

    @Test
    void groupsKeepReportOrderAndAnchorOnTheirFirstMember() {
        List<List<ReplicaRow>> groups = QuorumRule.groups(replicas("R:1.4 R:3.0 R:1.0 R:1.8 R:2.9"),
                EQUIVALENCES.get("within-0.5"));
        assertThat(groups).extracting(g -> g.stream().map(ReplicaRow::id).toList())
                .containsExactly(List.of(1L, 3L, 4L), List.of(2L, 5L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                        | limits | replicas         | verdict
            a trusted host's result stands alone          | 2/6/3  | R*:a C           | validate #1; VALID 1
            alone, still on its way                       | 2/6/3  | C P*             | wait
            alone in a quorum of three                    | 3/9/3  | R*:a C C         | validate #1; VALID 1
            the alone one failed: the full quorum again   | 2/6/3  | E* C             | more 2
            the alone one timed out: the full quorum      | 2/6/3  | T* C             | more 2
            after it failed, one success is not enough    | 2/6/3  | E* C R:a         | more 1
            after it failed, two agree                    | 2/6/3  | E* C R:a R:a     | validate #3; VALID 3 4
            a late alone report beside replacements       | 2/6/3  | R*:a C P P       | validate #1; VALID 1; cancel pending
            alone beside a disagreeing one: alone decides | 2/6/3  | R*:a R:b         | validate #1; VALID 1; INVALID 2
            alone beside an agreeing one: both valid      | 2/6/3  | R*:a R:a         | validate #1; VALID 1 2
            a quarantined host's result never stands alone | 2/6/3 | R*!:a C          | more 1
            """)
    void aResultSentAloneToATrustedHostIsAQuorumByItself(String name, String limits, String replicas, String verdict) {
        assertThat(describe(decide(limits, replicas, EQUAL))).isEqualTo(verdict);
    }

    // ---- the tables' notation

    private static final Equivalence EQUAL = Arrays::equals;
    private static final Equivalence ALWAYS = (a, b) -> true;
    private static final Map<String, Equivalence> EQUIVALENCES = Map.of(
            "equal", EQUAL,
            "never", (a, b) -> false,
            "ignore-case", (a, b) -> text(a).equalsIgnoreCase(text(b)),
            "within-0.5", (a, b) -> Math.abs(Double.parseDouble(text(a)) - Double.parseDouble(text(b))) <= 0.5);

    /** Numbers within 0.5, as the numeric validation kind would (not transitive); other text never agrees. */
    private static final Equivalence PAIRWISE = new Equivalence() {
        @Override
        public boolean equivalent(byte[] a, byte[] b) {
            try {
                return Math.abs(Double.parseDouble(text(a)) - Double.parseDouble(text(b))) <= 0.5;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public boolean transitive() {
            return false;
        }
    };

    private static final Map<String, ReplicaState> STATES = Map.of("U", ReplicaState.UNSENT, "P",
            ReplicaState.IN_PROGRESS, "R", ReplicaState.REPORTED, "E", ReplicaState.ERROR, "T", ReplicaState.TIMED_OUT,
            "I", ReplicaState.INCONCLUSIVE, "V", ReplicaState.VALID, "X", ReplicaState.INVALID, "C",
            ReplicaState.CANCELLED);

    private static Verdict decide(String limits, String replicas, Equivalence equivalence) {
        int[] l = Arrays.stream(limits.split("/")).mapToInt(Integer::parseInt).toArray();
        return QuorumRule.decide(WorkUnitState.OPEN, new Limits(l[0], l[1], l[2]), replicas(replicas), equivalence);
    }

    /** Replicas in the tables' notation, with ids 1, 2, ... in order. */
    private static List<ReplicaRow> replicas(String notation) {
        List<ReplicaRow> replicas = new ArrayList<>();
        for (String token : notation.trim().split("\\s+")) {
            long id = replicas.size() + 1;
            boolean quarantined = token.contains("!");
            boolean alone = token.contains("*");
            String[] parts = token.replace("!", "").replace("*", "").split(":", 2);
            ReplicaState state = STATES.get(parts[0]);
            if (state == null) {
                throw new IllegalArgumentException("no replica state '" + parts[0] + "' in '" + notation + "'");
            }
            String output = parts.length > 1 ? parts[1] : null;
            replicas.add(new ReplicaRow(id, 100 + id, state, bytes(output), output == null ? null : hash(output),
                    state == ReplicaState.ERROR ? "crash " + id : null, quarantined, alone));
        }
        return replicas;
    }

    /** The verdict in the tables' notation. */
    private static String describe(Verdict verdict) {
        StringBuilder b = new StringBuilder(switch (verdict) {
            case Validate v -> "validate #" + v.canonical().id();
            case MoreReplicas m -> "more " + m.count();
            case Wait w -> "wait";
            case Fail f -> "fail: " + f.reason();
        });
        for (ReplicaState to : List.of(ReplicaState.VALID, ReplicaState.INVALID, ReplicaState.INCONCLUSIVE)) {
            String ids = verdict.judgements().stream().filter(j -> j.to() == to)
                    .map(j -> Long.toString(j.replica().id())).collect(Collectors.joining(" "));
            if (!ids.isEmpty()) {
                b.append("; ").append(to).append(' ').append(ids);
            }
        }
        if (verdict instanceof Validate v && v.cancelPending()) {
            b.append("; cancel pending");
        }
        return b.toString();
    }

    private static byte[] bytes(String output) {
        return output == null ? null : output.getBytes(StandardCharsets.UTF_8);
    }

    private static String hash(String output) {
        return "hash-of:" + output;
    }

    private static String text(byte[] output) {
        return new String(output, StandardCharsets.UTF_8);
    }
}
