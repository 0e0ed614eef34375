package dev.starling.coordinator.browser;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.coordinator.dashboard.Browser;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.wasm.TaskControl;
import dev.starling.wasm.TaskResult;
import dev.starling.wasm.WasmSandbox;
import dev.starling.wasm.WasmTask;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The browser's WebAssembly runner (static/js/volunteer: a Web Worker in headless Chromium) against the Java worker's
 * ({@link WasmSandbox}): the same module and work unit give byte-identical {@link WasmOutput}, the same status and exit
 * code, for the C samples (the floating-point nbody included) and for the sandbox's probe module exercising clocks,
 * random bytes, sleeping, arguments, standard input, input files, scratch and output files, directory listings and
 * file metadata, traps and every limit. The tab's pause points are the Java sandbox's own instrumentation, byte for
 * byte, and a paused task holds there. The page is served by the test itself, cross-origin isolated and under the
 * volunteer page's Content-Security-Policy. Skipped where no Chromium is installed or the modules were not built.
 */
class BrowserRunnerConformanceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final WasmTask.Limits LIMITS = WasmTask.Limits.DEFAULT;
    private static StaticServer server;
    private static Browser browser;
    private static WasmSandbox sandbox;
    private static Path modules;

    /** One task: a module built from C, its work unit, and its limits. */
    record Case(String name, String module, List<String> args, String stdin, Map<String, String> files, long seed,
            WasmTask.Limits limits) {
        Case(String name, String module, String... args) {
            this(name, module, List.of(args), "", Map.of(), 0, LIMITS);
        }

        Case stdin(String text) {
            return new Case(name, module, args, text, files, seed, limits);
        }

        Case file(String fileName, String content) {
            Map<String, String> more = new TreeMap<>(files);
            more.put(fileName, content);
            return new Case(name, module, args, stdin, more, seed, limits);
        }

        Case seed(long value) {
            return new Case(name, module, args, stdin, files, value, limits);
        }

        Case limits(WasmTask.Limits value) {
            return new Case(name, module, args, stdin, files, seed, value);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("primes", "primes", "1", "200000"),
                new Case("nbody (floating point)", "nbody", "20000"),
                new Case("sum from standard input", "sum").stdin("5\n-7\n 40\n"),
                new Case("sum from an input file", "sum", "--file").file("outputs", "1\n2\n3\n"),
                new Case("sum of bad input exits 1", "sum").stdin("1 two"),
                new Case("squares (checkpoints never due)", "squares", "300000"),
                new Case("clocks, sleep and random from seed 42", "probe", "time").seed(42),
                new Case("clocks, sleep and random from seed -1", "probe", "time").seed(-1),
                new Case("arguments and standard input", "probe", "args", "a b", "", "ü").stdin("piped\0in"),
                new Case("scratch, /output, listings and stat", "probe", "files").file("a.dat", "input data"),
                new Case("writing an input file", "probe", "input").file("a.dat", "original"),
                new Case("escape attempts", "probe", "escape"),
                new Case("two output files", "probe", "outputs"),
                new Case("progress and checkpoint calls", "probe", "count", "40"),
                new Case("memory.grow past the cap", "probe", "grow"),
                new Case("exit code 7 and standard error", "probe", "stderr"),
                new Case("a trap", "probe", "trap"),
                new Case("an unknown mode", "probe", "nonsense"),
                new Case("standard output limit", "probe", "flood")
                        .limits(new WasmTask.Limits(256, Duration.ofHours(1), 1000, 64L << 20)),
                new Case("scratch limit", "probe", "scratch")
                        .limits(new WasmTask.Limits(256, Duration.ofHours(1), 1 << 20, 1 << 20)),
                new Case("module larger than the memory limit", "big-memory")
                        .limits(new WasmTask.Limits(1, Duration.ofHours(1), 1 << 20, 1 << 20)),
                new Case("CPU limit of a loop without host calls", "probe", "loop")
                        .limits(new WasmTask.Limits(256, Duration.ofSeconds(1), 1 << 20, 1 << 20)));
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        Browser.unavailable().ifPresent(reason -> {
            System.out.println("BrowserRunnerConformanceTest skipped: " + reason);
            Assumptions.abort(reason);
        });
        WasmModules.c("probe"); // skips (or fails on CI) when the modules were not built
        modules = Files.createTempDirectory("conformance-modules");
        for (String name : List.of("primes", "nbody", "sum", "squares", "probe")) {
            Files.write(modules.resolve(name + ".wasm"), WasmModules.c(name));
        }
        Files.write(modules.resolve("big-memory.wasm"), WasmModules.command("never printed\n", 32));
        server = StaticServer.start(Map.of(
                "/js/volunteer/", Path.of("src", "main", "resources", "static", "js", "volunteer"),
                "/runner/", Path.of("src", "test", "resources", "browser-runner"),
                "/modules/", modules));
        browser = Browser.open(server.base(), Path.of("target", "browser-runner-profile"), 800, 600);
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
        browser.go("/runner/conformance.html");
        browser.until(d -> "ready".equals(browser.script("return document.getElementById('state').textContent")));
        assertThat(browser.script("return window.isolated")).as("cross-origin isolated").isEqualTo(true);
        sandbox = WasmSandbox.create();
    }

    @AfterAll
    static void close() {
        if (server != null) {
            server.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (browser != null) {
            try {
                assertThat(browser.consoleErrors()).isEmpty();
            } finally {
                browser.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theBrowserGivesTheJavaWorkersBytes(Case c) throws Exception {
        TaskResult java = runInJava(c);
        JsonNode tab = runInBrowser(c);

        assertThat(tab.get("status").asText()).as("status; the tab said: " + tab.get("message").asText())
                .isEqualTo(java.status().name());
        assertThat(tab.get("exitCode").asInt()).as("exit code").isEqualTo(java.exitCode());
        assertThat(new String(bytes(tab.get("stdout")), UTF_8)).as("standard output")
                .isEqualTo(new String(java.stdout(), UTF_8));
        assertThat(output(bytes(tab.get("stdout")), files(tab)).toByteArray()).as("WasmOutput bytes")
                .isEqualTo(output(java.stdout(), java.outputFiles()).toByteArray());
        assertThat(tab.get("stderrTail").asText()).as("standard error").isEqualTo(java.stderrTail());
        if (java.status() != TaskResult.Status.TRAP) { // a trap's words are the engine's own
            assertThat(tab.get("message").asText()).as("message").isEqualTo(java.message());
        }
    }

    private TaskResult runInJava(Case c) throws Exception {
        WasmTask.Builder task = WasmTask.builder().args(c.args()).stdin(c.stdin().getBytes(UTF_8)).seed(c.seed())
                .limits(c.limits());
        Path dir = Files.createTempDirectory("conformance");
        for (var file : c.files().entrySet()) {
            task.inputFile(file.getKey(), Files.writeString(dir.resolve(file.getKey()), file.getValue()));
        }
        byte[] module = Files.readAllBytes(modules.resolve(c.module() + ".wasm"));
        return sandbox.run(sandbox.load(module), task.build(), TaskControl.NONE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"primes", "nbody", "sum", "squares", "probe"})
    void thePausePointsAreTheJavaSandboxesInstrumentation(String module) throws Exception {
        Method instrument = Class.forName("dev.starling.wasm.YieldInstrumentation")
                .getDeclaredMethod("instrument", byte[].class);
        instrument.setAccessible(true);
        byte[] java = (byte[]) instrument.invoke(null, (Object) WasmModules.c(module));

        String tab = (String) browser.script("return window.instrumented(arguments[0])", module);

        assertThat(Base64.getDecoder().decode(tab)).isEqualTo(java);
    }

    @Test
    void aPausedTaskHoldsWithoutUsingItsCpuTimeAndCanBeCancelled() throws Exception {
        Case loop = new Case("loop", "probe", "loop")
                .limits(new WasmTask.Limits(256, Duration.ofSeconds(1), 1 << 20, 1 << 20));
        browser.script("window.pauseTasks(true); return window.startTask(JSON.parse(arguments[0]))",
                JSON.writeValueAsString(spec(loop)));
        browser.until(d -> ((Number) browser.script("return window.parkedTasks()")).intValue() == 1);

        Thread.sleep(2500); // past the task's CPU limit of 1 s: a paused task is not charged for waiting
        browser.script("window.cancelTask()");
        JsonNode result = JSON.readTree((String) browser.script("return window.taskResult()"));
        browser.script("window.pauseTasks(false)");

        assertThat(result.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(result.get("message").asText()).isEqualTo("cancelled: the volunteer stopped the task");
    }

    private JsonNode runInBrowser(Case c) throws Exception {
        String answer = (String) browser.script("return window.runTask(JSON.parse(arguments[0]))",
                JSON.writeValueAsString(spec(c)));
        return JSON.readTree(answer);
    }

    private static Map<String, Object> spec(Case c) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("module", c.module());
        spec.put("args", c.args());
        spec.put("stdin", Base64.getEncoder().encodeToString(c.stdin().getBytes(UTF_8)));
        List<Map<String, String>> files = new ArrayList<>();
        c.files().forEach((name, content) -> files.add(Map.of("name", name,
                "content", Base64.getEncoder().encodeToString(content.getBytes(UTF_8)))));
        spec.put("files", files);
        spec.put("seed", Long.toUnsignedString(c.seed()));
        spec.put("deterministic", true);
        spec.put("limits", Map.of("memoryMib", c.limits().memoryMiB(),
                "maxCpuSeconds", c.limits().maxCpu().toSeconds(),
                "maxOutputBytes", c.limits().maxOutputBytes(),
                "scratchBytes", c.limits().scratchBytes()));
        return spec;
    }

    private static byte[] bytes(JsonNode base64) {
        return Base64.getDecoder().decode(base64.asText());
    }

    private static Map<String, byte[]> files(JsonNode tab) {
        Map<String, byte[]> files = new TreeMap<>();
        tab.get("files").forEach(f -> files.put(f.get("name").asText(), bytes(f.get("content"))));
        return files;
    }

    /** The envelope the worker reports, as WasmTaskRunner builds it. */
    private static WasmOutput output(byte[] stdout, Map<String, byte[]> files) {
        WasmOutput.Builder envelope = WasmOutput.newBuilder().setStdout(ByteString.copyFrom(stdout));
        new TreeMap<>(files).forEach((name, content) -> envelope.addFiles(
                WasmOutputFile.newBuilder().setName(name).setContent(ByteString.copyFrom(content))));
        return envelope.build();
    }
}
