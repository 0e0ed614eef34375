package dev.starling.wasm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The C samples under task-sdk/wasm-samples, run in the sandbox. */
class SamplesTest {
    private static final WasmSandbox SANDBOX = WasmSandbox.create();

    @AfterAll
    static void close() {
        SANDBOX.close();
    }

    private static String run(String sample, TaskControl control, String... args) {
        TaskResult result = SANDBOX.run(SANDBOX.load(TestModules.c(sample)), WasmTask.builder().args(args).build(),
                control);
        assertThat(result.status()).as(result.toString()).isEqualTo(TaskResult.Status.SUCCEEDED);
        return new String(result.stdout(), UTF_8);
    }

    @Test
    void primesGivesTheJavaAppsCounts() {
        // the counts PrimesAppTest checks for the Java app
        assertThat(run("primes", TaskControl.NONE, "0", "1000000")).isEqualTo("78498");
        assertThat(run("primes", TaskControl.NONE, "0", "10000000")).isEqualTo("664579");
        assertThat(run("primes", TaskControl.NONE, "1", "1001")).isEqualTo("168");
        assertThat(run("primes", TaskControl.NONE, "0", "1")).isEqualTo("0");
        assertThat(run("primes", TaskControl.NONE, "2", "3")).isEqualTo("1");
        assertThat(run("primes", TaskControl.NONE, "1000000", "11000000")).isEqualTo(Long.toString(726517 - 78498));
        long top = 1_000_000_000_000L;
        assertThat(run("primes", TaskControl.NONE, Long.toString(top - 3000), Long.toString(top)))
                .isEqualTo(Long.toString(probablePrimes(top - 3000, top)));
    }

    private static long probablePrimes(long from, long to) {
        long count = 0;
        for (long n = from; n < to; n++) {
            count += BigInteger.valueOf(n).isProbablePrime(60) ? 1 : 0;
        }
        return count;
    }

    @Test
    void primesRefusesBadArguments() {
        TaskResult result = SANDBOX.run(SANDBOX.load(TestModules.c("primes")),
                WasmTask.builder().args("5", "5").build(), TaskControl.NONE);

        assertThat(result.status()).isEqualTo(TaskResult.Status.EXIT_CODE);
        assertThat(result.stderrTail()).contains("need 0 <= FROM < TO");
    }

    @Test
    void nbodyPrintsTheSameBitsInTheCompilerAndTheInterpreter() throws Exception {
        String sandboxed = run("nbody", TaskControl.NONE, "20000");

        // Chicory's interpreter: another engine, with none of the compiler's code
        var stdout = new ByteArrayOutputStream();
        var options = WasiOptions.builder().withArguments(List.of("app", "20000")).withStdout(stdout).build();
        try (var wasi = WasiPreview1.builder().withOptions(options).build()) {
            var instance = Instance.builder(Parser.parse(TestModules.c("nbody")))
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions())
                            .addFunction(new com.dylibso.chicory.runtime.HostFunction("starling", "progress",
                                    com.dylibso.chicory.wasm.types.FunctionType.accepting(
                                            com.dylibso.chicory.wasm.types.ValType.F64), (i, a) -> null))
                            .build())
                    .withStart(false)
                    .build();
            try {
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                assertThat(e.exitCode()).isZero();
            }
        }

        assertThat(sandboxed).isEqualTo(stdout.toString(UTF_8));
        assertThat(sandboxed).startsWith("-0.16907516382852447\n"); // the benchmark's published initial energy
    }

    @Test
    void squaresCheckpointsWhenAskedAndResumesFromIt() {
        AtomicBoolean asked = new AtomicBoolean();
        List<Map<String, byte[]>> saved = new ArrayList<>();
        TaskControl control = new TaskControl() {
            @Override
            public boolean checkpointDue() {
                return asked.compareAndSet(false, true);
            }

            @Override
            public void checkpointDone(Map<String, byte[]> files) {
                saved.add(files);
            }
        };

        String full = run("squares", control, "3000000");

        assertThat(saved).hasSize(1);
        assertThat(saved.get(0)).containsOnlyKeys("state");
        TaskResult resumed = SANDBOX.run(SANDBOX.load(TestModules.c("squares")),
                WasmTask.builder().args("3000000").checkpointFile("state", saved.get(0).get("state")).build(),
                TaskControl.NONE);
        assertThat(new String(resumed.stdout(), UTF_8)).isEqualTo(full);
        BigInteger n = BigInteger.valueOf(3_000_000);
        assertThat(full.strip()).isEqualTo(n.subtract(BigInteger.ONE).multiply(n)
                .multiply(n.shiftLeft(1).subtract(BigInteger.ONE)).divide(BigInteger.valueOf(6)).toString());
    }

    @Test
    void sumAddsTheIntegersOfItsStandardInputOrOfInputOutputs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        WasmSandbox.Module sum = SANDBOX.load(TestModules.c("sum"));
        TaskResult piped = SANDBOX.run(sum, WasmTask.builder().stdin("5\n-7\n 40\n".getBytes(UTF_8)).build(),
                TaskControl.NONE);
        assertThat(new String(piped.stdout(), UTF_8)).as(piped.toString()).isEqualTo("38\n");

        java.nio.file.Path outputs = java.nio.file.Files.writeString(dir.resolve("outputs"), "38\n2\n");
        TaskResult file = SANDBOX.run(sum, WasmTask.builder().args("--file").inputFile("outputs", outputs).build(),
                TaskControl.NONE);
        assertThat(new String(file.stdout(), UTF_8)).as(file.toString()).isEqualTo("40\n");

        TaskResult bad = SANDBOX.run(sum, WasmTask.builder().stdin("1 two".getBytes(UTF_8)).build(), TaskControl.NONE);
        assertThat(bad.status()).isEqualTo(TaskResult.Status.EXIT_CODE);
        assertThat(bad.stderrTail()).contains("something other than integers");
    }
}
