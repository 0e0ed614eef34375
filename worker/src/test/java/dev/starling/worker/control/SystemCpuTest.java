package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Other programs' CPU use from a /proc/stat of the test's own and this process's CPU time as the test says. */
class SystemCpuTest {
    @TempDir
    Path dir;

    private long ownCpuNanos;
    private long wallNanos;

    private void stat(long user, long system, long idle, long iowait) throws Exception {
        Files.write(dir.resolve("stat"), List.of(
                "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 0 0",
                "cpu0 1 2 3 4 5 6 7 8 0 0",
                "cpu1 1 2 3 4 5 6 7 8 0 0",
                "intr 12345"));
    }

    @Test
    void othersAreTheMachinesBusyShareLessThisProcesssOwn() throws Exception {
        SystemCpu readings = new SystemCpu(dir.resolve("stat"), () -> ownCpuNanos, () -> wallNanos);
        stat(1000, 500, 8000, 500);
        assertThat(readings.otherProcesses()).as("the first reading has nothing to compare with").isEmpty();

        // one second on two processors: 200 ticks, 120 of them busy; this process used 0.4 s of CPU (20%)
        stat(1100, 520, 8070, 510);
        ownCpuNanos += 400_000_000;
        wallNanos += 1_000_000_000;
        OptionalDouble others = readings.otherProcesses();

        assertThat(others).isPresent();
        assertThat(others.getAsDouble()).isCloseTo(0.60 - 0.20, within(1e-9));
    }

    @Test
    void parsesTheMachineLineAndCountsProcessors() {
        long[] ticks = SystemCpu.parse(List.of("cpu  10 20 30 400 50 6 7 8 9 9", "cpu0 1", "cpu1 1", "cpu2 1", "ctxt 5"));

        assertThat(ticks).containsExactly(10 + 20 + 30 + 6 + 7 + 8, 10 + 20 + 30 + 400 + 50 + 6 + 7 + 8, 3);
        assertThat(SystemCpu.parse(List.of("nothing here"))).isNull();
    }
}
