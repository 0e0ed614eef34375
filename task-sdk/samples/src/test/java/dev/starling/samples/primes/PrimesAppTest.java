package dev.starling.samples.primes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.sdk.CancelledException;
import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.LocalRunner;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class PrimesAppTest {
    private final PrimesApp app = new PrimesApp();
    private final LocalRunner runner = LocalRunner.forApp(app).replicas(2).build();

    @Test
    void countsThePrimesBelowPowersOfTen() {
        assertThat(runner.run(Map.of("from", 0, "to", 1_000_000))).isEqualTo(Map.of("count", 78498L));
        assertThat(runner.run(Map.of("from", 0, "to", 10_000_000))).isEqualTo(Map.of("count", 664579L));
        assertThat(runner.run(Map.of("from", 0, "to", 10_000_000, "chunkSize", 1000)))
                .isEqualTo(Map.of("count", 664579L));
    }

    @Test
    void countsPrimesBelowOneBillion() {
        // 1000 work units of 10^6 numbers, each computed twice
        assertThat(runner.run(Map.of("from", 0, "to", 1_000_000_000))).isEqualTo(Map.of("count", 50847534L));
    }

    /** About 10 s of CPU, too slow for every build: {@code ./mvnw ... -Dstarling.slowTests=true} runs it. */
    @Test
    @EnabledIfSystemProperty(named = "starling.slowTests", matches = "true")
    void countsPrimesBelowTenToTheTen() {
        LocalRunner once = LocalRunner.forApp(app).replicas(1).build();
        assertThat(once.run(Map.of("from", 0, "to", 10_000_000_000L))).isEqualTo(Map.of("count", 455052511L));
    }

    @Test
    void theMillerRabinOracleAgreesWithTrialDivision() {
        assertThat(millerRabinCount(0, 200_000)).isEqualTo(trialDivisionCount(0, 200_000));
        assertThat(isPrime(999_999_999_989L)).isTrue(); // the largest prime below 10^12
        assertThat(isPrime(999_999_999_991L)).isFalse();
        assertThat(isPrime(3_215_031_751L)).as("a strong pseudoprime to bases 2, 3, 5 and 7").isFalse();
    }

    @Test
    void handlesTheSmallestRanges() {
        assertThat(count(0, 1)).isZero();
        assertThat(count(0, 2)).isZero();
        assertThat(count(0, 3)).isEqualTo(1);
        assertThat(count(1, 2)).isZero();
        assertThat(count(2, 3)).isEqualTo(1);
        assertThat(count(3, 4)).isEqualTo(1);
        assertThat(count(4, 5)).isZero();
        assertThat(count(0, 10)).isEqualTo(4);
        assertThat(count(0, 100)).isEqualTo(25);
        assertThat(count(1, 1001)).isEqualTo(168);
    }

    @Test
    void agreesWithTrialDivisionOnRangesThatSplitUnevenly() {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            long from = random.nextInt(3_000_000);
            long to = from + 1 + random.nextInt(200_000);
            long chunkSize = 1000 + random.nextInt(50_000);
            assertThat(runner.run(Map.of("from", from, "to", to, "chunkSize", chunkSize)))
                    .as("[%d, %d) in chunks of %d", from, to, chunkSize)
                    .isEqualTo(Map.of("count", trialDivisionCount(from, to)));
        }
    }

    @Test
    void countsWithinOneSegmentAcrossSquaresOfPrimes() {
        int[] basePrimes = Sieve.oddPrimesUpTo(2000);
        byte[] segment = new byte[Sieve.SEGMENT_BYTES];
        for (long p : new long[] {3, 5, 7, 11, 997, 1009, 1999}) {
            for (long lo = Math.max(0, p * p - 7); lo <= p * p + 7; lo++) {
                assertThat(Sieve.countPrimes(lo, lo + 30, basePrimes, segment)).as("[%d, %d)", lo, lo + 30)
                        .isEqualTo(trialDivisionCount(lo, lo + 30));
            }
        }
        assertThat(Sieve.countPrimes(0, Sieve.SEGMENT_SPAN, basePrimes, segment))
                .isEqualTo(trialDivisionCount(0, Sieve.SEGMENT_SPAN));
    }

    @Test
    void oneWorkUnitNearTenToTheTen() throws Exception {
        long hi = 10_000_000_000L;
        assertThat(computeCount(hi - 1_000_000, hi)).isEqualTo(millerRabinCount(hi - 1_000_000, hi));
    }

    @Test
    void oneWorkUnitAtTheTopOfTheRange() throws Exception {
        long hi = PrimesApp.MAX_TO;
        assertThat(computeCount(hi - 1_000_000, hi)).isEqualTo(millerRabinCount(hi - 1_000_000, hi));
        assertThat(runner.run(Map.of("from", hi - 3000, "to", hi, "chunkSize", 1000)))
                .isEqualTo(Map.of("count", millerRabinCount(hi - 3000, hi)));
    }

    @Test
    void splitsIntoChunksWithTheLastOneShorter() {
        StagePlan plan = app.split(bind(Map.of("from", 10, "to", 3500, "chunkSize", 1000)));

        assertThat(plan.size()).isEqualTo(4);
        assertThat(Range.decode(plan.workUnit(0).input())).isEqualTo(new Range(10, 1010));
        assertThat(Range.decode(plan.workUnit(3).input())).isEqualTo(new Range(3010, 3500));
        assertThat(plan.workUnit(0).cost()).isEqualTo(0.001);
        assertThat(plan.workUnit(3).cost()).isEqualTo(0.00049);
        assertThatThrownBy(() -> plan.workUnit(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void encodesTheRangeAsTwoBigEndianLongs() {
        assertThat(new Range(1, 258).encode()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2);
        assertThatThrownBy(() -> Range.decode(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBadParams() {
        assertThat(errors(Map.of("from", 5, "to", 5)))
                .containsExactly(new ParamError("to", "must be greater than from (5)"));
        assertThat(errors(Map.of("from", -1, "to", 5))).containsExactly(new ParamError("from", "must be >= 0"));
        assertThat(errors(Map.of("from", 0, "to", 1_000_000_000_001L)))
                .containsExactly(new ParamError("to", "must be <= 1000000000000"));
        assertThat(errors(Map.of("from", 0, "to", 5, "chunkSize", 999)))
                .containsExactly(new ParamError("chunkSize", "must be >= 1000"));
        assertThat(errors(Map.of("from", 0, "to", PrimesApp.MAX_TO, "chunkSize", 1000))).containsExactly(new ParamError(
                "chunkSize", "gives 1000000000 work units, more than 10000000; use at least 100000"));
        assertThat(app.validate(bind(Map.of("from", 0, "to", 10_000_000_000L, "chunkSize", 1000)))).isEmpty();
    }

    @Test
    void resumesFromACheckpoint() throws Exception {
        byte[] input = new Range(0, 10_000_000).encode();
        // as if interrupted after 10^6 numbers, of which 78498 primes
        TestContext resumed = new TestContext(new PrimesApp.Checkpoint(1_000_000, 78498).encode());
        app.compute(new WorkUnit(0, 0, input), resumed);
        assertThat(resumed.outputText()).isEqualTo("664579");

        TestContext foreign = new TestContext(new PrimesApp.Checkpoint(20_000_000, 1).encode());
        app.compute(new WorkUnit(0, 0, input), foreign);
        assertThat(foreign.outputText()).as("a checkpoint outside the range is ignored").isEqualTo("664579");
    }

    @Test
    void aWorkUnitInterruptedAfterACheckpointResumesToTheSameCount() throws Exception {
        WorkUnit workUnit = new WorkUnit(0, 0, new Range(1_000_000, 11_000_000).encode());

        assertThat(runner.computeResumed(workUnit)).isEqualTo(runner.computeOne(workUnit));
        assertThat(new String(runner.computeResumed(workUnit), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(Long.toString(726517 - 78498)); // pi(1.1 * 10^7) - pi(10^6)
    }

    @Test
    void reportsProgressAndStopsWhenCancelled() throws Exception {
        TestContext context = new TestContext(null);
        app.compute(new WorkUnit(0, 0, new Range(0, 5_000_000).encode()), context);
        assertThat(context.lastProgress).isEqualTo(1.0);

        TestContext cancelled = new TestContext(null);
        cancelled.cancelled = true;
        assertThatThrownBy(() -> app.compute(new WorkUnit(0, 0, new Range(0, 5_000_000).encode()), cancelled))
                .isInstanceOf(CancelledException.class);
    }

    private long count(long from, long to) {
        return (Long) runner.run(Map.of("from", from, "to", to)).get("count");
    }

    private long computeCount(long lo, long hi) throws Exception {
        return Long.parseLong(new String(runner.computeOne(new WorkUnit(0, 0, new Range(lo, hi).encode())), UTF_8));
    }

    private JobParams bind(Map<String, ?> raw) {
        return runner.bind(raw);
    }

    private List<ParamError> errors(Map<String, ?> raw) {
        try {
            runner.bind(raw);
            throw new AssertionError("accepted " + raw);
        } catch (InvalidParamsException e) {
            return e.errors();
        }
    }

    static long trialDivisionCount(long from, long to) {
        long count = 0;
        for (long n = Math.max(2, from); n < to; n++) {
            boolean prime = true;
            for (long d = 2; d * d <= n && prime; d++) {
                prime = n % d != 0;
            }
            count += prime ? 1 : 0;
        }
        return count;
    }

    /** An independent check for large numbers: a deterministic Miller-Rabin test on each of them. */
    static long millerRabinCount(long from, long to) {
        long count = 0;
        for (long n = from; n < to; n++) {
            count += isPrime(n) ? 1 : 0;
        }
        return count;
    }

    /** Miller-Rabin with the bases 2 to 17, which make no mistake below 3.4 * 10^14; here n < 2^40. */
    static boolean isPrime(long n) {
        long[] bases = {2, 3, 5, 7, 11, 13, 17};
        for (long p : bases) {
            if (n % p == 0) {
                return n == p;
            }
        }
        if (n < 2) {
            return false;
        }
        long d = n - 1;
        int s = Long.numberOfTrailingZeros(d);
        d >>= s;
        nextBase:
        for (long a : bases) {
            long x = powMod(a, d, n);
            if (x == 1 || x == n - 1) {
                continue;
            }
            for (int r = 1; r < s; r++) {
                x = mulMod(x, x, n);
                if (x == n - 1) {
                    continue nextBase;
                }
            }
            return false;
        }
        return true;
    }

    private static long powMod(long base, long exponent, long n) {
        long result = 1;
        for (long b = base % n, e = exponent; e > 0; e >>= 1, b = mulMod(b, b, n)) {
            if ((e & 1) == 1) {
                result = mulMod(result, b, n);
            }
        }
        return result;
    }

    /** a * b mod n for a, b < n < 2^40, in two halves of b so that no product exceeds 2^60. */
    private static long mulMod(long a, long b, long n) {
        return ((a * (b >>> 20) % n << 20) + a * (b & 0xFFFFF)) % n;
    }

    /** A task context for calling compute directly, with a given checkpoint. */
    private static final class TestContext implements TaskContext {
        private final byte[] checkpoint;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private boolean cancelled;
        private double lastProgress;

        TestContext(byte[] checkpoint) {
            this.checkpoint = checkpoint;
        }

        @Override
        public void progress(double fractionDone) {
            assertThat(fractionDone).isBetween(lastProgress, 1.0);
            lastProgress = fractionDone;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public Optional<byte[]> checkpoint() {
            return Optional.ofNullable(checkpoint);
        }

        @Override
        public void saveCheckpoint(byte[] state) {}

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public java.io.InputStream openBlob(String blobId) {
            throw new IllegalArgumentException("primes reads no blobs");
        }

        @Override
        public long blobSize(String blobId) {
            throw new IllegalArgumentException("primes reads no blobs");
        }

        @Override
        public String storeBlob(byte[] content) {
            throw new UnsupportedOperationException("primes stores no blobs");
        }

        String outputText() {
            return output.toString(UTF_8);
        }
    }
}
