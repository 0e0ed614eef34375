package dev.starling.cli;

import dev.starling.wasm.ModuleRefusedException;
import dev.starling.wasm.TaskControl;
import dev.starling.wasm.TaskResult;
import dev.starling.wasm.WasmSandbox;
import dev.starling.wasm.WasmTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code starling app run}: a module run here, in the sandbox and with the limits a worker gives it. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs a WebAssembly module (a WASI command) here, in the sandbox a worker runs it in: the same checks,"
                    + " limits, file system and deterministic clocks and random bytes, so what it prints here is what"
                    + " every worker's replica prints. Test an app with it before you deploy it.",
            "The module's standard output goes to stdout; the end of its standard error (what a worker keeps of it)"
                    + " and how it ended go to stderr. Options go before the module; everything after it is the"
                    + " module's arguments.",
        },
        footer = {
            "",
            "Examples:",
            "  starling app run primes.wasm 0 1000000",
            "  starling app run --manifest primes.json --seed 7 primes.wasm 0 1000000",
            "  starling app run --input table.dat --stdin points.txt --output-dir out \\",
            "      fit.wasm --steps 100",
            "",
            ExitCodes.HELP,
        })
final class AppRunCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "The app's manifest (JSON): its limits and 'deterministic', as a worker applies them.")
    private Path manifest;

    @Option(names = "--stdin", paramLabel = "FILE",
            description = "The module's standard input: a file, or - for this command's own (default: empty).")
    private String stdin;

    @Option(names = "--input", paramLabel = "[NAME=]FILE",
            description = "A file the module reads at /input/NAME (NAME: the file's name unless given). Repeatable.")
    private List<String> inputs = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "What its clocks and random bytes derive from: on a worker, the work unit's index"
                    + " (default: ${DEFAULT-VALUE}).")
    private String seed;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Where to write the files it writes under /output/ (default: they are only listed).")
    private Path outputDir;

    @Option(names = "--memory-mib", paramLabel = "N", description = "Its memory limit (manifest: limits.memoryMiB).")
    private Integer memoryMiB;

    @Option(names = "--max-cpu-seconds", paramLabel = "N",
            description = "Its CPU time limit (manifest: limits.maxCpuSeconds).")
    private Long maxCpuSeconds;

    @Option(names = "--max-output-bytes", paramLabel = "N",
            description = "The most it may print (manifest: limits.maxOutputBytes).")
    private Long maxOutputBytes;

    @Option(names = "--max-scratch-bytes", paramLabel = "N",
            description = "The most its files may take (manifest: limits.maxScratchBytes).")
    private Long maxScratchBytes;

    @Option(names = "--nondeterministic",
            description = "The host's clocks and random bytes, as for a manifest with \"deterministic\": false.")
    private boolean nondeterministic;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The module (.wasm).")
    private Path module;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The module's arguments (argv[1..]).")
    private List<String> args = new ArrayList<>();

    AppRunCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws IOException {
        byte[] bytes = LocalFiles.read(module, "module");
        WasmTask task = task();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TaskResult result;
        try (WasmSandbox sandbox = WasmSandbox.create()) {
            WasmSandbox.Module loaded;
            try {
                loaded = sandbox.load(bytes);
            } catch (ModuleRefusedException e) {
                throw CliException.invalid(module + ": " + e.getMessage());
            }
            result = sandbox.run(loaded, task, TaskControl.NONE);
        }
        out.flush();
        byte[] stdout = result.stdout();
        environment.stdout().write(stdout);
        environment.stdout().flush();
        if (environment.interactive() && stdout.length > 0 && stdout[stdout.length - 1] != '\n') {
            err.println(); // on a terminal, the status starts a line of its own
        }
        if (!result.stderrTail().isEmpty()) {
            err.print(result.stderrTail().endsWith("\n") ? result.stderrTail() : result.stderrTail() + "\n");
        }
        outputFiles(result.outputFiles(), err);
        err.println(spec.qualifiedName() + ": " + result.status() + ": " + result.message() + String.format(Locale.ROOT,
                " (%.2f s of CPU time, %d bytes of output)", result.cpuNanos() / 1e9, result.stdout().length));
        err.flush();
        return switch (result.status()) {
            case SUCCEEDED -> ExitCodes.OK;
            case MEMORY_LIMIT, CPU_LIMIT, OUTPUT_LIMIT, SCRATCH_LIMIT -> ExitCodes.LIMIT;
            case CANCELLED -> ExitCodes.CANCELLED;
            case EXIT_CODE, TRAP, FAILED -> ExitCodes.FAILED;
        };
    }

    private WasmTask task() {
        ObjectNode manifestJson = manifest == null ? null
                : LocalFiles.jsonObject(LocalFiles.read(manifest, "manifest"), "manifest " + manifest);
        WasmTask.Limits defaults = WasmTask.Limits.DEFAULT;
        WasmTask.Limits limits;
        try {
            limits = new WasmTask.Limits(
                    memoryMiB != null ? memoryMiB : (int) limit(manifestJson, "memoryMiB", defaults.memoryMiB(), true),
                    Duration.ofSeconds(maxCpuSeconds != null ? maxCpuSeconds
                            : limit(manifestJson, "maxCpuSeconds", defaults.maxCpu().toSeconds(), false)),
                    maxOutputBytes != null ? maxOutputBytes
                            : limit(manifestJson, "maxOutputBytes", defaults.maxOutputBytes(), false),
                    maxScratchBytes != null ? maxScratchBytes
                            : limit(manifestJson, "maxScratchBytes", defaults.scratchBytes(), false));
        } catch (IllegalArgumentException e) {
            throw CliException.invalid("the limits are not valid: " + e.getMessage());
        }
        WasmTask.Builder task = WasmTask.builder().args(args).limits(limits).seed(seed())
                .deterministic(!nondeterministic && deterministic(manifestJson));
        if (stdin != null) {
            task.stdin(LocalFiles.read(stdin, environment.stdin(), "standard input file"));
        }
        for (String input : inputs) {
            int equals = input.indexOf('=');
            Path file = Path.of(equals < 0 ? input : input.substring(equals + 1));
            String name = equals < 0 ? String.valueOf(file.getFileName()) : input.substring(0, equals);
            task.inputFile(name, LocalFiles.existing(file, "input file"));
        }
        try {
            return task.build();
        } catch (IllegalArgumentException e) {
            throw CliException.invalid(e.getMessage());
        }
    }

    /** The seed: a number from 0 to 2^64 - 1, as a work unit's (unsigned) index. */
    private long seed() {
        try {
            return Long.parseUnsignedLong(seed);
        } catch (NumberFormatException e) {
            throw CliException.invalid("--seed must be a whole number from 0 to 18446744073709551615, was '" + seed + "'");
        }
    }

    /** {@code limits.<name>} of the manifest, or the default when it has none. */
    private long limit(ObjectNode manifestJson, String name, long defaultValue, boolean isInt) {
        JsonNode value = manifestJson == null ? null : manifestJson.path("limits").get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !(isInt ? value.canConvertToInt() : value.canConvertToLong())) {
            throw CliException.invalid("the manifest " + manifest + ": limits." + name + " must be a whole number,"
                    + " was " + value);
        }
        return value.asLong();
    }

    private boolean deterministic(ObjectNode manifestJson) {
        JsonNode value = manifestJson == null ? null : manifestJson.get("deterministic");
        if (value == null || value.isNull()) {
            return true;
        }
        if (!value.isBoolean()) {
            throw CliException.invalid("the manifest " + manifest + ": deterministic must be true or false, was " + value);
        }
        return value.asBoolean();
    }

    /** Writes the files the module wrote under /output/ to --output-dir, or lists them. */
    private void outputFiles(Map<String, byte[]> files, PrintWriter err) {
        if (files.isEmpty()) {
            return;
        }
        if (outputDir == null) {
            err.println(files.size() + (files.size() == 1 ? " file" : " files") + " under /output/ (keep them with"
                    + " --output-dir DIR):");
            files.forEach((name, content) -> err.println("  " + name + " (" + content.length + " bytes)"));
            return;
        }
        Path dir = outputDir.toAbsolutePath().normalize();
        for (var file : new java.util.TreeMap<>(files).entrySet()) {
            Path target = dir.resolve(file.getKey()).normalize();
            if (!target.startsWith(dir) || target.equals(dir)) {
                throw new CliException(ExitCodes.FAILED, "the module wrote an output file named '" + file.getKey()
                        + "', which would land outside " + outputDir);
            }
            try {
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
            } catch (IOException e) {
                throw new CliException(ExitCodes.ERROR, "cannot write " + target + ": " + LocalFiles.describe(e));
            }
        }
        err.println(files.size() + (files.size() == 1 ? " file" : " files") + " written to " + outputDir);
    }
}
