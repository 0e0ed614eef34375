package dev.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code starling app run}: real modules, from C and from WebAssembly text, in the workers' sandbox. */
class AppRunCommandTest {
    @TempDir
    Path dir;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir);
    }

    @Test
    void theCSampleCountsThePrimesAsTheJavaAppDoes() {
        Cli.Result r = cli.run("app", "run", TestModules.c("primes").toString(), "0", "1000000");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEqualTo("78498");
        assertThat(r.err()).contains("starling app run: SUCCEEDED: exited with code 0 (")
                .contains("s of CPU time, 5 bytes of output)");
    }

    @Test
    void theGuidesExampleRunsAsTheGuideSays() {
        Path manifest = Path.of("../../docs/examples/collatz/collatz.json");

        Cli.Result r = cli.run("app", "run", "--manifest", manifest.toString(), TestModules.c("collatz").toString(),
                "1", "1000");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEqualTo("1 1000 871 178\n");
        assertThat(r.err()).startsWith("starling app run: SUCCEEDED: exited with code 0 (")
                .endsWith("s of CPU time, 15 bytes of output)\n");
    }

    @Test
    void theModuleGetsItsArgumentsStdinInputFilesAndSeedAndItsOutputFilesAreKept() throws IOException {
        Path table = Files.writeString(dir.resolve("table.dat"), "1 2 3");
        Path other = Files.writeString(dir.resolve("other.txt"), "other bytes");
        Path points = Files.writeString(dir.resolve("points.txt"), "from a file");
        Path out = dir.resolve("out");

        Cli.Result r = cli.run("app", "run", "--stdin", points.toString(), "--input", table.toString(), "--input",
                "renamed.txt=" + other, "--seed", "7", "--output-dir", out.toString(), TestModules.c("echo").toString(),
                "alpha", "--seed", "-x");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("""
                args: alpha --seed -x
                stdin: 11 bytes: from a file
                input renamed.txt: 11 bytes: other bytes
                input table.dat: 5 bytes: 1 2 3
                random: """);
        assertThat(r.err()).startsWith("echo: done\n").contains("1 file written to " + out);
        assertThat(out.resolve("words.txt")).hasContent("3 words\n");
    }

    @Test
    void theSeedDecidesTheRandomBytesAsOnEveryWorker() {
        String seven = cli.run("app", "run", "--seed", "7", TestModules.c("echo").toString()).out();

        assertThat(cli.run("app", "run", "--seed", "7", TestModules.c("echo").toString()).out()).isEqualTo(seven);
        assertThat(cli.run("app", "run", "--seed", "8", TestModules.c("echo").toString()).out()).isNotEqualTo(seven);
        assertThat(cli.run("app", "run", "--seed", "18446744073709551615", TestModules.c("echo").toString()).exitCode())
                .isEqualTo(ExitCodes.OK);
    }

    @Test
    void stdinFromTheCommandsOwnAndOutputFilesListedWithoutAnOutputDir() {
        cli.stdin = "piped in".getBytes(StandardCharsets.UTF_8);

        Cli.Result r = cli.run("app", "run", "--stdin", "-", TestModules.c("echo").toString());

        assertThat(r.out()).contains("stdin: 8 bytes: piped in\n");
        assertThat(r.err()).contains("1 file under /output/ (keep them with --output-dir DIR):\n  words.txt (8 bytes)");
    }

    @Test
    void aNonZeroExitIsAFailureWithTheEndOfStandardError() {
        Cli.Result r = cli.run("app", "run", TestModules.c("echo").toString(), "exit", "3");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).startsWith("exiting with 3 as asked\n")
                .contains("starling app run: EXIT_CODE: the module exited with code 3");
    }

    @Test
    void theManifestsLimitsApplyAndFlagsWinOverThem() throws IOException {
        Path manifest = Files.writeString(dir.resolve("echo.json"), """
                {"name": "echo", "version": "1.0.0", "limits": {"memoryMiB": 16, "maxCpuSeconds": 60}}""");

        Cli.Result limited = cli.run("app", "run", "--manifest", manifest.toString(), TestModules.c("echo").toString(),
                "grow", "64");
        Cli.Result raised = cli.run("app", "run", "--manifest", manifest.toString(), "--memory-mib", "128",
                TestModules.c("echo").toString(), "grow", "64");

        assertThat(limited.exitCode()).isEqualTo(ExitCodes.LIMIT);
        assertThat(limited.err()).startsWith("malloc of 64 MiB failed\n").contains("MEMORY_LIMIT: memory.grow to")
                .contains("the task's memory limit is 16 MiB, memoryMiB");
        assertThat(raised.exitCode()).as(raised.err()).isEqualTo(ExitCodes.OK);
        assertThat(raised.out()).isEqualTo("grew 64 MiB (16384 pages touched)\n");
    }

    @Test
    void outputPastItsLimitFailsTheTaskAndPrintsNothing() {
        Cli.Result r = cli.run("app", "run", "--max-output-bytes", "5", TestModules.c("echo").toString(), "a");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.LIMIT);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("OUTPUT_LIMIT: the module wrote more than the task's limit of 5 bytes");
    }

    @Test
    void anEndlessLoopIsStoppedAtItsCpuLimit() {
        Path spin = TestModules.command(dir, "spin", "(loop $l (br $l))");

        Cli.Result r = cli.run("app", "run", "--max-cpu-seconds", "1", spin.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.LIMIT);
        assertThat(r.err()).contains("CPU_LIMIT: the task used more than its CPU time limit of 1 s (maxCpuSeconds)");
    }

    @Test
    void aTrapIsAFailureThatSaysSo() {
        Path trap = TestModules.command(dir, "trap", "(unreachable)");

        Cli.Result r = cli.run("app", "run", trap.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).contains("starling app run: TRAP: trap:");
    }

    @Test
    void aModuleStarlingDoesNotRunIsInvalidInput() throws IOException {
        Path garbage = Files.write(dir.resolve("garbage.wasm"), new byte[] {0, 'a', 's', 'm', 9, 9, 9, 9, 1, 2, 3});
        Path reactor = TestModules.wat(dir, "reactor", """
                (module (memory (export "memory") 1) (func (export "_initialize")))""");

        Cli.Result bad = cli.run("app", "run", garbage.toString());
        Cli.Result notACommand = cli.run("app", "run", reactor.toString());
        Cli.Result missing = cli.run("app", "run", dir.resolve("nowhere.wasm").toString());

        assertThat(bad.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(bad.err()).startsWith("starling app run: " + garbage + ": the module does not parse as WebAssembly");
        assertThat(notACommand.err()).contains("the module is a WASI reactor");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(missing.err()).isEqualTo("starling app run: cannot read the module " + dir.resolve("nowhere.wasm")
                + ": no such file\n");
    }

    @Test
    void aWrongManifestOrInputIsInvalidInputNamingWhatIsWrong() throws IOException {
        Path echo = TestModules.command(dir, "ok", "");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"limits\": {\n  \"memoryMiB\": 16,,\n}}");
        Path words = Files.writeString(dir.resolve("words.json"), "{\"limits\": {\"memoryMiB\": \"16 MiB\"}}");
        Path huge = Files.writeString(dir.resolve("huge.json"), "{\"limits\": {\"memoryMiB\": 5000}}");
        Path list = Files.writeString(dir.resolve("list.json"), "[1, 2]");
        Path flag = Files.writeString(dir.resolve("flag.json"), "{\"deterministic\": \"no\"}");

        assertThat(cli.run("app", "run", "--manifest", broken.toString(), echo.toString()).err())
                .startsWith("starling app run: the manifest " + broken + " is not valid JSON (line 2, column");
        assertThat(cli.run("app", "run", "--manifest", words.toString(), echo.toString()).err())
                .contains("limits.memoryMiB must be a whole number, was \"16 MiB\"");
        assertThat(cli.run("app", "run", "--manifest", huge.toString(), echo.toString()).err())
                .contains("the limits are not valid: memoryMiB must be from 1 to 2047, was 5000");
        assertThat(cli.run("app", "run", "--manifest", list.toString(), echo.toString()).err())
                .contains("the manifest " + list + " must be a JSON object ({...}), not array");
        assertThat(cli.run("app", "run", "--manifest", flag.toString(), echo.toString()).err())
                .contains("deterministic must be true or false, was \"no\"");
        assertThat(cli.run("app", "run", "--input", "../up=" + flag, echo.toString()).err())
                .contains("input file name '../up' is not a plain file name");
        assertThat(cli.run("app", "run", "--input", dir.resolve("none.dat").toString(), echo.toString()).err())
                .contains("cannot read the input file " + dir.resolve("none.dat") + ": no such file");
        assertThat(cli.run("app", "run", "--seed", "-1", echo.toString()).err())
                .contains("--seed must be a whole number from 0 to 18446744073709551615, was '-1'");
        assertThat(cli.run("app", "run", "--max-cpu-seconds", "0", echo.toString()).exitCode())
                .isEqualTo(ExitCodes.INVALID_INPUT);
    }
}
