package dev.starling.coordinator.browser;

import dev.starling.coordinator.app.WasmModules;
import dev.starling.coordinator.dashboard.Browser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The browser runner's benchmark (not a test): in headless Chromium, through the volunteer page's own runner (Web
 * Workers, instrumented modules), the CPU time per task of one module, and the tasks per second one tab sustains
 * with a trivial app. {@code task-sdk/wasm/bench/browser.sh} runs it next to the Java sandbox and native code.
 *
 * <pre>BrowserBench cpu RUNS MODULE.wasm [ARGS...] CPU time of each run (the tab's: the worker's wall time)
 * BrowserBench throughput TASKS CORES        tasks/s of a module that prints one line and exits</pre>
 */
public final class BrowserBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BrowserBench() {}

    public static void main(String[] args) throws Exception {
        Path modules = Files.createTempDirectory("bench-modules");
        if (args[0].equals("cpu")) {
            Files.copy(Path.of(args[2]), modules.resolve("bench.wasm"));
        }
        Files.write(modules.resolve("trivial.wasm"), WasmModules.command("1\n"));
        try (StaticServer server = StaticServer.start(Map.of(
                "/js/volunteer/", Path.of("src", "main", "resources", "static", "js", "volunteer"),
                "/runner/", Path.of("src", "test", "resources", "browser-runner"),
                "/modules/", modules));
                Browser browser = Browser.open(server.base(), Path.of("target", "browser-bench-profile"), 800, 600)) {
            browser.driver().manage().timeouts().scriptTimeout(Duration.ofMinutes(30));
            browser.go("/runner/conformance.html");
            browser.until(d -> "ready".equals(browser.script("return document.getElementById('state').textContent")));
            Map<String, Object> limits = Map.of("memoryMib", 256, "maxCpuSeconds", 3600, "maxOutputBytes", 1 << 20,
                    "scratchBytes", 64 << 20);
            if (args[0].equals("cpu")) {
                int runs = Integer.parseInt(args[1]);
                List<String> moduleArgs = Arrays.asList(args).subList(3, args.length);
                Map<String, Object> spec = Map.of("module", "bench", "args", moduleArgs,
                        "stdin", "", "files", List.of(), "seed", "0", "deterministic", true, "limits", limits);
                List<Long> millis = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    JsonNode result = JSON.readTree((String) browser.script(
                            "return window.runTask(JSON.parse(arguments[0]))", JSON.writeValueAsString(spec)));
                    if (!result.get("status").asString().equals("SUCCEEDED")) {
                        throw new IllegalStateException("the task failed: " + result);
                    }
                    millis.add(Math.round(result.get("cpuMillis").asDouble()));
                }
                System.out.printf("chromium %s cpu_s per run: %s, best %.3f%n", Path.of(args[2]).getFileName(), millis,
                        millis.stream().mapToLong(Long::longValue).min().orElseThrow() / 1000.0);
            } else {
                int tasks = Integer.parseInt(args[1]);
                int cores = Integer.parseInt(args[2]);
                Map<String, Object> spec = Map.of("module", "trivial", "args", List.of(), "limits", limits);
                JsonNode answer = JSON.readTree((String) browser.script(
                        "return window.throughput(JSON.parse(arguments[0]), arguments[1], arguments[2])",
                        JSON.writeValueAsString(spec), tasks, cores));
                double seconds = answer.get("elapsed").asDouble() / 1000;
                System.out.printf("chromium trivial: %d tasks on %d workers in %.2f s: %.0f tasks/s (%d failed)%n",
                        tasks, cores, seconds, tasks / seconds, answer.get("failed").asInt());
            }
        }
    }
}
