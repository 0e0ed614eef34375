package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU limit on clocks of the test's own: a simulated task thread that computes in steps and calls the pacer
 * between them, its CPU clock moving only while it computes, wall time moving with both.
 */
class PacerTest {
    private long wall;
    private long cpu;
    private long slept;

    private Pacer pacer(double share) {
        return new Pacer(share, () -> cpu, () -> wall, nanos -> {
            slept += nanos;
            wall += nanos;
        }, TimeUnit.SECONDS.toNanos(1));
    }

    /** Computes for {@code step} between calls to the pacer, for {@code total} of wall time. */
    private void compute(Pacer pacer, long step, long total) throws InterruptedException {
        long end = wall + total;
        while (wall < end) {
            cpu += step;
            wall += step;
            pacer.pace();
        }
    }

    @ParameterizedTest(name = "limit {0}%, a call every {1} ms")
    // 10 ms: how often a WebAssembly task stops at a safepoint (WasmSandbox.Options), where it is paced
    @CsvSource({"50, 1", "50, 20", "25, 5", "75, 10", "10, 2", "90, 50", "60, 100", "50, 10", "25, 10"})
    void theThreadsCpuShareStaysWithinTenPercentOfTheLimit(int percent, int stepMillis) throws InterruptedException {
        Pacer pacer = pacer(percent / 100.0);

        compute(pacer, TimeUnit.MILLISECONDS.toNanos(stepMillis), TimeUnit.SECONDS.toNanos(60));

        double share = (double) cpu / wall;
        assertThat(share).isCloseTo(percent / 100.0, within(percent / 100.0 * 0.10));
    }

    @Test
    void withoutALimitItNeverSleeps() throws InterruptedException {
        Pacer pacer = pacer(1.0);

        compute(pacer, TimeUnit.MILLISECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(10));

        assertThat(slept).isZero();
        assertThat(pacer.isLimiting()).isFalse();
    }

    @Test
    void timeSpentWaitingCountsForAtMostOneWindow() throws InterruptedException {
        Pacer pacer = pacer(0.5);
        wall += TimeUnit.SECONDS.toNanos(60); // waited a minute (for input, say) before computing
        long waitedUntil = wall;

        compute(pacer, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10));

        // flat out for at most the saved-up second, then at half speed
        assertThat((double) cpu / (wall - waitedUntil)).isCloseTo(0.5, within(0.5 * 0.15));
    }

    @Test
    void afterARestartSuspendedTimeIsNoCredit() throws InterruptedException {
        Pacer pacer = pacer(0.5);
        compute(pacer, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(5));
        wall += TimeUnit.SECONDS.toNanos(30); // suspended
        pacer.restart();
        long cpuBefore = cpu;
        long wallBefore = wall;

        compute(pacer, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10));

        assertThat((double) (cpu - cpuBefore) / (wall - wallBefore)).isCloseTo(0.5, within(0.05));
    }

    @Test
    void looksAtTheClocksAtMostEveryTwoMilliseconds() throws InterruptedException {
        Pacer pacer = pacer(0.5);
        cpu += TimeUnit.MILLISECONDS.toNanos(1);
        wall += TimeUnit.MILLISECONDS.toNanos(1);
        pacer.pace();
        assertThat(slept).as("too soon to look").isZero();
    }

    @Test
    void theShareMustBeAboveZeroAndAtMostOne() {
        assertThatThrownBy(() -> pacer(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pacer(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShareThatChangesWhileTheTaskRunsIsKeptFromThenOn() throws InterruptedException {
        double[] share = {0.5};
        Pacer pacer = new Pacer(() -> share[0], () -> cpu, () -> wall, nanos -> {
            slept += nanos;
            wall += nanos;
        }, TimeUnit.SECONDS.toNanos(1));
        long step = TimeUnit.MILLISECONDS.toNanos(10);

        compute(pacer, step, TimeUnit.SECONDS.toNanos(30));
        assertThat((double) cpu / wall).isCloseTo(0.5, within(0.05));

        share[0] = 1.0; // the computer became idle
        long sleptBefore = slept;
        compute(pacer, step, TimeUnit.SECONDS.toNanos(30));
        assertThat(slept).as("no sleep at 100%").isEqualTo(sleptBefore);
        assertThat(pacer.isLimiting()).isFalse();

        share[0] = 0.25; // in use again
        long cpuBefore = cpu;
        long wallBefore = wall;
        compute(pacer, step, TimeUnit.SECONDS.toNanos(60));
        assertThat((double) (cpu - cpuBefore) / (wall - wallBefore)).as("no credit carried over from the idle time")
                .isCloseTo(0.25, within(0.025));
    }
}
