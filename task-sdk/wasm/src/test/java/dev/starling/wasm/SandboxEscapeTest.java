package dev.starling.wasm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a module built from C (src/test/c/probe.c) can and cannot do in the sandbox. */
class SandboxEscapeTest {
    private static WasmSandbox sandbox;
    private static WasmSandbox.Module probe;
    private static final WasmTask.Limits LIMITS = new WasmTask.Limits(64, Duration.ofSeconds(20), 4096, 1 << 20);

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        sandbox = WasmSandbox.create();
        probe = sandbox.load(TestModules.c("probe"));
    }

    @AfterAll
    static void close() {
        sandbox.close();
    }

    private static TaskResult run(WasmTask.Builder task) {
        return sandbox.run(probe, task.build(), TaskControl.NONE);
    }

    private static String out(TaskResult result) {
        assertThat(result.status()).as(result.toString()).isEqualTo(TaskResult.Status.SUCCEEDED);
        return new String(result.stdout(), UTF_8);
    }

    @Test
    void noPathLeadsToAHostFile() {
        String out = out(run(WasmTask.builder().args("escape").limits(LIMITS)));

        assertThat(out).doesNotContain("root:").doesNotContain("read 1").doesNotContain("read 2");
        assertThat(out).contains("r /etc/passwd: refused", "r ../../../../etc/passwd: refused",
                "r /input/../../etc/passwd: refused", "r /proc/self/environ: refused", "r link2/etc/passwd: refused");
        assertThat(Path.of("/escaped.txt")).doesNotExist();
        assertThat(Path.of("..", "escaped.txt")).doesNotExist();
    }

    @Test
    void inputFilesAreAPrivateCopy() throws Exception {
        Path cached = Files.writeString(dir.resolve("blob"), "the input");

        String out = out(run(WasmTask.builder().args("input").inputFile("a.dat", cached).limits(LIMITS)));

        assertThat(out).contains("r /input/a.dat: read 9 bytes: the input", "w /input/a.dat: written");
        assertThat(Files.readString(cached)).as("the host file").isEqualTo("the input");
    }

    @Test
    void filesListAndStatTheSameWayEveryTimeAndOutputFilesComeBack() throws Exception {
        Path cached = Files.writeString(dir.resolve("blob"), "abc");
        WasmTask.Builder task = WasmTask.builder().args("files").inputFile("a.dat", cached).limits(LIMITS);

        TaskResult first = run(task);
        TaskResult second = run(task);

        assertThat(out(first)).contains("/: . .. a.txt checkpoint dir input output",
                "/input: . .. a.dat", "a.dat: ino ", "size 3 mtime 1704067200");
        assertThat(second.stdout()).isEqualTo(first.stdout());
        assertThat(first.outputFiles()).containsOnlyKeys("result.txt", "sub/more.txt");
        assertThat(new String(first.outputFiles().get("result.txt"), UTF_8)).isEqualTo("result");
    }

    @Test
    void clocksAndRandomAreFunctionsOfTheSeed() {
        String first = out(run(WasmTask.builder().args("time").seed(42).limits(LIMITS)));
        String again = out(run(WasmTask.builder().args("time").seed(42).limits(LIMITS)));
        String other = out(run(WasmTask.builder().args("time").seed(43).limits(LIMITS)));

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first).startsWith("realtime 1704067200.0000");
        assertThat(first).as("a 5 s sleep passes at once, in virtual time").contains("after sleep 170406720");
    }

    @Test
    void theHostsClocksAndRandomForAnAppThatOptsOut() {
        String first = out(run(WasmTask.builder().args("time").deterministic(false).limits(LIMITS)));
        String second = out(run(WasmTask.builder().args("time").deterministic(false).limits(LIMITS)));

        assertThat(first).doesNotStartWith("realtime 1704067200.");
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void argumentsAndStandardInput() {
        String out = out(run(WasmTask.builder().args("args", "two words", "ü").stdin("from stdin".getBytes(UTF_8))
                .limits(LIMITS)));

        assertThat(out).isEqualTo("[app][args][two words][ü] stdin 10: from stdin\n");
    }

    @Test
    void aMallocOverTheMemoryLimitFailsAsTheMemoryLimit() {
        TaskResult result = run(WasmTask.builder().args("malloc", "1024").limits(LIMITS));

        assertThat(result.status()).isEqualTo(TaskResult.Status.MEMORY_LIMIT);
        assertThat(result.message()).contains("limit is 64 MiB").contains("exited with code 3");
        assertThat(result.stderrTail()).contains("malloc of 1024 MiB failed");
        assertThat(out(run(WasmTask.builder().args("malloc", "32").limits(LIMITS)))).isEqualTo("got 32 MiB, last byte 1\n");
    }

    @Test
    void memoryGrowOfTwoGibibytesReturnsMinusOne() {
        assertThat(out(run(WasmTask.builder().args("grow").limits(LIMITS)))).isEqualTo("memory.grow(32768) = -1\n");
    }

    @Test
    void deepRecursionTraps() {
        TaskResult result = run(WasmTask.builder().args("recurse").limits(LIMITS));

        // C's stack is in linear memory (64 KiB by default, below the data): it runs past address 0
        assertThat(result.status()).isEqualTo(TaskResult.Status.TRAP);
        assertThat(result.message()).contains("out of bounds memory access");
    }

    @Test
    void anInfiniteLoopIsStopped() {
        TaskResult result = run(WasmTask.builder().args("loop")
                .limits(new WasmTask.Limits(64, Duration.ofMillis(500), 100, 0)));

        assertThat(result.status()).isEqualTo(TaskResult.Status.CPU_LIMIT);
    }

    @Test
    void aStdoutFloodFails() {
        TaskResult result = run(WasmTask.builder().args("flood").limits(LIMITS));

        assertThat(result.status()).isEqualTo(TaskResult.Status.OUTPUT_LIMIT);
        assertThat(result.message()).contains("4096 bytes");
    }

    @Test
    void filesPastTheScratchLimitFail() {
        TaskResult result = run(WasmTask.builder().args("scratch").limits(LIMITS));

        assertThat(result.status()).isEqualTo(TaskResult.Status.SCRATCH_LIMIT);
        assertThat(result.message()).contains("1048576 bytes");
    }

    @Test
    void stderrIsKeptCleanedForTheErrorReport() {
        TaskResult result = run(WasmTask.builder().args("stderr").limits(LIMITS));

        assertThat(result.status()).isEqualTo(TaskResult.Status.EXIT_CODE);
        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.stderrTail()).isEqualTo("line one\nbad \uFFFD\uFFFD utf-8 and a \uFFFD NUL\nlast line\n");
    }

    @Test
    void aTrapInCompiledC() {
        assertThat(run(WasmTask.builder().args("trap").limits(LIMITS)).status()).isEqualTo(TaskResult.Status.TRAP);
    }
}
