package dev.starling.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The engine benchmark's JVM side (not a test): runs one WASI module several times in one JVM with one engine
 * configuration and prints the CPU time of each run. {@code task-sdk/wasm/bench/engines.sh} compiles the kernels,
 * times them natively and runs this once per configuration, each in a JVM of its own (so that the JIT's profile
 * sees one memory class only, as in a worker).
 *
 * <pre>EngineBench ENGINE MEMORY RUNS MODULE.wasm [ARGS...]
 *   ENGINE  compiler | interpreter | yield (compiler on the YieldInstrumentation rewrite) | sandbox (WasmSandbox)
 *   MEMORY  flat | bytearray | bytebuffer (ignored by sandbox, which uses flat)
 * EngineBench start TASKS
 *   per-task start: after one compile, TASKS runs of a trivial command in the sandbox, wall time per run</pre>
 */
public final class EngineBench {
    private EngineBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("start")) {
            start(Integer.parseInt(args[1]));
            return;
        }
        if (args.length < 4) {
            System.err.println("usage: EngineBench ENGINE MEMORY RUNS MODULE.wasm [ARGS...]");
            System.exit(2);
        }
        String engine = args[0];
        String memory = args[1];
        int runs = Integer.parseInt(args[2]);
        Path path = Path.of(args[3]);
        List<String> moduleArgs = Arrays.asList(args).subList(3, args.length);
        byte[] bytes = Files.readAllBytes(path);
        var threads = ManagementFactory.getThreadMXBean();

        long compileStart = System.nanoTime();
        Runner runner = switch (engine) {
            case "compiler", "interpreter" -> chicory(bytes, engine, memory, moduleArgs);
            case "yield" -> chicory(YieldInstrumentation.instrument(bytes), engine, memory, moduleArgs);
            case "sandbox" -> sandbox(bytes, moduleArgs);
            default -> throw new IllegalArgumentException("engine " + engine);
        };
        double compileMs = (System.nanoTime() - compileStart) / 1e6;
        System.out.printf("COMPILE engine=%s module=%s ms=%.1f%n", engine, path.getFileName(), compileMs);
        for (int run = 1; run <= runs; run++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            String output = runner.run();
            double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
            if (output.contains(" task_cpu_s=")) { // the sandbox runs the task on a thread of its own
                cpuS = Double.parseDouble(output.substring(output.indexOf(" task_cpu_s=") + 12));
                output = output.substring(0, output.indexOf(" task_cpu_s="));
            }
            double wallS = (System.nanoTime() - wall) / 1e9;
            System.out.printf("RUN engine=%s memory=%s module=%s run=%d cpu_s=%.3f wall_s=%.3f output=%s%n", engine,
                    memory, path.getFileName(), run, cpuS, wallS, output.strip().replace('\n', '|'));
        }
    }

    /** How long a task takes from {@code run} to its end when it does nothing: the per-task start cost. */
    private static void start(int tasks) {
        try (WasmSandbox sandbox = WasmSandbox.create()) {
            long compile = System.nanoTime();
            WasmSandbox.Module module = sandbox.load(TestModules.command("(call $print (i32.const 16) (i32.const 6))"));
            System.out.printf("COMPILE trivial command ms=%.1f%n", (System.nanoTime() - compile) / 1e6);
            WasmTask task = WasmTask.builder().build();
            long[] nanos = new long[tasks];
            for (int i = 0; i < tasks; i++) {
                long begin = System.nanoTime();
                TaskResult result = sandbox.run(module, task, TaskControl.NONE);
                nanos[i] = System.nanoTime() - begin;
                if (!result.succeeded()) {
                    throw new IllegalStateException(result.toString());
                }
            }
            long[] warm = Arrays.copyOfRange(nanos, Math.min(10, tasks - 1), tasks);
            Arrays.sort(warm);
            System.out.printf("START tasks=%d first_ms=%.2f median_ms=%.2f p99_ms=%.2f (after the first 10)%n", tasks,
                    nanos[0] / 1e6, warm[warm.length / 2] / 1e6, warm[(int) (warm.length * 0.99)] / 1e6);
        }
    }

    interface Runner {
        String run() throws Exception;
    }

    private static Runner chicory(byte[] bytes, String engine, String memory, List<String> args) {
        WasmModule module = Parser.parse(bytes);
        Function<Instance, Machine> machine =
                engine.equals("interpreter") ? InterpreterMachine::new : MachineFactoryCompiler.compile(module);
        long[] yields = {0};
        var yield = new com.dylibso.chicory.runtime.HostFunction("starling", "__yield",
                com.dylibso.chicory.wasm.types.FunctionType.returning(com.dylibso.chicory.wasm.types.ValType.I32),
                (instance, a) -> {
                    yields[0]++;
                    return new long[] {YieldInstrumentation.LOOP_BUDGET};
                });
        Function<MemoryLimits, Memory> memories = switch (memory) {
            case "flat" -> LinearMemory::new;
            case "bytearray" -> ByteArrayMemory::new;
            case "bytebuffer" -> ByteBufferMemory::new;
            default -> throw new IllegalArgumentException("memory " + memory);
        };
        return () -> {
            var stdout = new ByteArrayOutputStream();
            var options = WasiOptions.builder().withArguments(args).withStdout(stdout).withStderr(System.err).build();
            try (var wasi = WasiPreview1.builder().withOptions(options).build()) {
                var instance = Instance.builder(module)
                        .withMachineFactory(machine)
                        .withMemoryFactory(memories)
                        .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).addFunction(yield).build())
                        .withStart(false)
                        .build();
                try {
                    instance.export("_start").apply();
                } catch (WasiExitException e) {
                    if (e.exitCode() != 0) {
                        throw e;
                    }
                }
            }
            return stdout.toString(StandardCharsets.UTF_8) + (yields[0] > 0 ? " yields=" + yields[0] : "");
        };
    }

    private static Runner sandbox(byte[] bytes, List<String> args) {
        WasmSandbox sandbox = WasmSandbox.create();
        WasmSandbox.Module module = sandbox.load(bytes);
        WasmTask task = WasmTask.builder().args(args.subList(1, args.size()))
                .limits(new WasmTask.Limits(2047, java.time.Duration.ofHours(1), 1 << 20, 1 << 20)).build();
        return () -> {
            TaskResult result = sandbox.run(module, task, TaskControl.NONE);
            if (!result.succeeded()) {
                throw new IllegalStateException(result.toString());
            }
            return new String(result.stdout(), StandardCharsets.UTF_8) + " task_cpu_s=" + result.cpuNanos() / 1e9;
        };
    }
}
