package dev.starling.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs WASI preview 1 command modules in a sandbox: the worker's runner for deployed apps' tasks and the
 * researcher's {@code app run}. One per process: it keeps compiled modules (one compile per module per process) and
 * one timer thread that asks running tasks to stop at a safepoint now and then.
 *
 * <pre>{@code
 * WasmSandbox sandbox = WasmSandbox.create();
 * WasmSandbox.Module module = sandbox.load(bytes);          // checked (ModuleCheck) and compiled, or cached
 * TaskResult result = sandbox.run(module, task, control);   // blocks until the task ends
 * }</pre>
 *
 * <p>Each task runs in a fresh instance on a thread of its own ({@link Options#stackBytes}), with its arguments, its
 * standard input, a file system of its own in memory (its input files copied under {@code /input}, {@code /output},
 * {@code /checkpoint} with the checkpoint it resumes from, and scratch space everywhere else, within {@link WasmTask.Limits#scratchBytes}; no path leads to a host file), no
 * network, memory, CPU time and output bounded, and deterministic clocks and random bytes ({@link DeterministicWasi}).
 * Whatever the module does, {@code run} returns a {@link TaskResult}: a trap, a limit or a non-zero exit is a
 * failure that says which, never an exception that takes the caller down.
 */
public final class WasmSandbox implements AutoCloseable {
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** How much of standard error a result keeps (the end of it). */
    public static final int STDERR_TAIL_BYTES = 4096;
    private static final int EIO = 29;
    private static final FileTime FILE_TIME = FileTime.fromMillis(DeterministicWasi.EPOCH_SECONDS * 1000);

    /**
     * @param stackBytes the stack of each task's thread: how deep a module may recurse before it traps
     * @param safepointInterval how often a running task stops at a safepoint ({@link TaskControl#safepoint}, the CPU
     *     limit): the delay before a pause or a cancellation takes effect
     * @param cachedModules how many compiled modules are kept
     * @param maxModuleBytes the largest module {@link #load} takes
     */
    public record Options(long stackBytes, Duration safepointInterval, int cachedModules, long maxModuleBytes) {
        public static final Options DEFAULT =
                new Options(16 << 20, Duration.ofMillis(10), 16, ModuleCheck.DEFAULT_MAX_BYTES);
    }

    /** A module checked and compiled, ready to run any number of tasks. */
    public static final class Module {
        private final String sha256;
        private final WasmModule parsed;
        private final Function<Instance, Machine> machine;

        private Module(String sha256, WasmModule parsed, Function<Instance, Machine> machine) {
            this.sha256 = sha256;
            this.parsed = parsed;
            this.machine = machine;
        }

        /** The module's SHA-256, hex: what the cache is keyed by. */
        public String sha256() {
            return sha256;
        }
    }

    private final Options options;
    private final Map<String, Module> modules;
    private final Set<TaskThread> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final AtomicLong taskNumber = new AtomicLong();

    private WasmSandbox(Options options) {
        this.options = options;
        this.modules = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Module> eldest) {
                return size() > options.cachedModules();
            }
        };
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "wasm-safepoints");
            thread.setDaemon(true);
            return thread;
        });
        long interval = options.safepointInterval().toNanos();
        timer.scheduleAtFixedRate(() -> running.forEach(TaskThread::requestSafepoint), interval, interval,
                TimeUnit.NANOSECONDS);
    }

    public static WasmSandbox create() {
        return create(Options.DEFAULT);
    }

    public static WasmSandbox create(Options options) {
        return new WasmSandbox(options);
    }

    /**
     * Checks a module ({@link ModuleCheck}) and compiles it, or returns it from the cache (by SHA-256): one compile
     * per module per process.
     *
     * @throws ModuleRefusedException when the module is not one Starling runs; the message says why
     */
    public Module load(byte[] bytes) {
        String sha256 = ModuleCheck.sha256(bytes);
        synchronized (modules) {
            Module cached = modules.get(sha256);
            if (cached != null) {
                return cached;
            }
        }
        ModuleCheck.check(bytes, options.maxModuleBytes());
        WasmModule parsed = Parser.parse(bytes);
        Function<Instance, Machine> machine;
        try {
            machine = SafepointCompiler.compile(parsed);
        } catch (ChicoryException e) {
            throw new ModuleRefusedException("the module could not be compiled (a function too large for the"
                    + " engine?): " + e.getMessage(), e);
        }
        Module module = new Module(sha256, parsed, machine);
        synchronized (modules) {
            return modules.computeIfAbsent(sha256, k -> module);
        }
    }

    /**
     * Runs one task in a fresh instance of the module and waits for it to end. If the calling thread is interrupted
     * meanwhile, the task is stopped (at its next safepoint), the result is {@link TaskResult.Status#CANCELLED} and
     * the interrupt flag is set again.
     */
    public TaskResult run(Module module, WasmTask task, TaskControl control) {
        Run run = new Run(module, task, control);
        TaskThread thread = new TaskThread(run::execute, "wasm-task-" + taskNumber.incrementAndGet(),
                options.stackBytes(), run::atSafepoint);
        running.add(thread);
        boolean interrupted = false;
        try {
            thread.start();
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    run.cancel("the worker stopped the task");
                    thread.requestSafepoint();
                }
            }
        } finally {
            running.remove(thread);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return run.result;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One task's run, on its own thread. */
    private static final class Run {
        private final Module module;
        private final WasmTask task;
        private final TaskControl control;
        private final long cpuLimitNanos;
        private volatile String cancelled;
        private long cpuStart;
        private LinearMemory memory;
        private FileSystem files;
        private TaskResult result;

        Run(Module module, WasmTask task, TaskControl control) {
            this.module = module;
            this.task = task;
            this.control = control;
            this.cpuLimitNanos = task.limits().maxCpu().toNanos();
        }

        void cancel(String reason) {
            cancelled = reason;
        }

        /** On the task's thread, at a safepoint of the module's code or in a Starling host function. */
        void atSafepoint() {
            if (cancelled != null) {
                throw new Stop(TaskResult.Status.CANCELLED, "cancelled: " + cancelled);
            }
            if (THREADS.getCurrentThreadCpuTime() - cpuStart > cpuLimitNanos) {
                throw new Stop(TaskResult.Status.CPU_LIMIT, "the task used more than its CPU time limit of "
                        + task.limits().maxCpu().toSeconds() + " s (maxCpuSeconds)");
            }
            try {
                control.safepoint();
            } catch (TaskCancelledException e) {
                throw new Stop(TaskResult.Status.CANCELLED, "cancelled: " + e.getMessage());
            } catch (InterruptedException e) {
                throw new Stop(TaskResult.Status.CANCELLED, "cancelled: the task's thread was interrupted");
            }
        }

        void execute() {
            cpuStart = THREADS.getCurrentThreadCpuTime();
            var stdout = new TaskOutput.Bounded(task.limits().maxOutputBytes());
            var stderr = new TaskOutput.Tail(STDERR_TAIL_BYTES);
            int exitCode = -1;
            TaskResult.Status status;
            String message;
            try {
                files = fileSystem();
                exitCode = start(stdout, stderr);
                status = exitCode == 0 ? TaskResult.Status.SUCCEEDED : TaskResult.Status.EXIT_CODE;
                message = exitCode == 0 ? "exited with code 0" : "the module exited with code " + exitCode;
            } catch (Stop e) {
                status = e.status();
                message = e.getMessage();
            } catch (StackOverflowError e) {
                status = TaskResult.Status.TRAP;
                message = "trap: call stack exhausted (recursion too deep)";
            } catch (OutOfMemoryError e) {
                status = TaskResult.Status.FAILED;
                message = "the worker ran out of memory running the task";
            } catch (ChicoryException e) {
                Stop stop = stopIn(e);
                if (stop != null) {
                    status = stop.status();
                    message = stop.getMessage();
                } else {
                    status = TaskResult.Status.TRAP;
                    message = "trap: " + e.getMessage();
                }
            } catch (IOException e) {
                status = TaskResult.Status.FAILED;
                message = "could not prepare the task's files: " + e.getMessage();
            } catch (RuntimeException e) {
                Stop stop = stopIn(e);
                status = stop != null ? stop.status() : TaskResult.Status.FAILED;
                message = stop != null ? stop.getMessage() : "the sandbox failed: " + e;
            }
            if (status != TaskResult.Status.SUCCEEDED && memory != null && memory.refusedGrowPages() > 0
                    && status != TaskResult.Status.CANCELLED && status != TaskResult.Status.CPU_LIMIT) {
                message = "memory.grow to " + memory.refusedGrowPages() / 16 + " MiB was refused (the task's memory"
                        + " limit is " + task.limits().memoryMiB() + " MiB, memoryMiB), then " + message;
                status = TaskResult.Status.MEMORY_LIMIT;
            }
            Map<String, byte[]> outputFiles = Map.of();
            if (status == TaskResult.Status.SUCCEEDED) {
                try {
                    outputFiles = outputFiles();
                } catch (IOException e) {
                    status = TaskResult.Status.FAILED;
                    message = "could not read the task's /output: " + e.getMessage();
                }
            }
            boolean exited = status == TaskResult.Status.SUCCEEDED || status == TaskResult.Status.EXIT_CODE;
            result = new TaskResult(status, exitCode, exited ? stdout.toByteArray() : new byte[0], outputFiles,
                    message, stderr.text(), THREADS.getCurrentThreadCpuTime() - cpuStart);
            if (files != null) {
                try {
                    files.close(); // the scratch space goes with it
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        private static Stop stopIn(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof Stop stop) {
                    return stop;
                }
            }
            return null;
        }

        /** The task's file system: / (scratch), /input (copies of its input files), /output. */
        private FileSystem fileSystem() throws IOException {
            long inputBytes = 0;
            for (Path file : task.inputFiles().values()) {
                inputBytes += Files.size(file);
            }
            for (byte[] file : task.checkpoint().values()) {
                inputBytes += file.length;
            }
            Configuration config = Configuration.unix().toBuilder()
                    .setAttributeViews("basic", "owner", "posix", "unix")
                    .setMaxSize(inputBytes + task.limits().scratchBytes() + 64 * 8192L)
                    .setMaxCacheSize(0)
                    .setFileTimeSource(() -> FILE_TIME)
                    .build();
            FileSystem fs = Jimfs.newFileSystem(config);
            Path input = Files.createDirectory(fs.getPath("/input"));
            Files.createDirectory(fs.getPath("/output"));
            Path checkpoint = Files.createDirectory(fs.getPath("/checkpoint"));
            for (var entry : task.sortedInputFiles().entrySet()) {
                Files.copy(entry.getValue(), input.resolve(entry.getKey()));
            }
            for (var entry : new TreeMap<>(task.checkpoint()).entrySet()) {
                Files.write(checkpoint.resolve(entry.getKey()), entry.getValue());
            }
            return fs;
        }

        private boolean filesFull() {
            try {
                return files.getFileStores().iterator().next().getUnallocatedSpace() < 8192;
            } catch (IOException e) {
                return false;
            }
        }

        private Map<String, byte[]> outputFiles() throws IOException {
            return filesUnder(files.getPath("/output"));
        }

        private static Map<String, byte[]> filesUnder(Path output) throws IOException {
            Map<String, byte[]> result = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(output)) {
                for (Path file : (Iterable<Path>) walk::iterator) {
                    if (Files.isRegularFile(file)) {
                        result.put(output.relativize(file).toString(), Files.readAllBytes(file));
                    }
                }
            }
            return result;
        }

        private int start(TaskOutput.Bounded stdout, TaskOutput.Tail stderr) {
            WasiOptions wasiOptions = WasiOptions.builder()
                    .withArguments(task.argv())
                    .withStdin(new ByteArrayInputStream(task.stdin()), false)
                    .withStdout(stdout, false)
                    .withStderr(stderr, false)
                    .withDirectory("/", files.getPath("/"))
                    .build();
            try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(wasiOptions).build()) {
                Instance instance = Instance.builder(module.parsed)
                        .withMachineFactory(module.machine)
                        .withImportValues(ImportValues.builder().addFunction(hostFunctions(wasi)).build())
                        .withMemoryFactory(limits -> {
                            int cap = task.limits().memoryPages();
                            if (limits.initialPages() > cap) {
                                throw new Stop(TaskResult.Status.MEMORY_LIMIT, "the module starts with "
                                        + limits.initialPages() / 16 + " MiB of memory, more than the task's limit of "
                                        + task.limits().memoryMiB() + " MiB (memoryMiB)");
                            }
                            memory = new LinearMemory(limits.initialPages(), Math.min(limits.maximumPages(), cap),
                                    cap);
                            return memory;
                        })
                        .withStart(false)
                        .build();
                instance.export("_start").apply();
                return 0;
            } catch (WasiExitException e) {
                return e.exitCode();
            }
        }

        private HostFunction[] hostFunctions(WasiPreview1 wasi) {
            Map<String, HostFunction> byName = new LinkedHashMap<>();
            for (HostFunction f : wasi.toHostFunctions()) {
                byName.put(f.name(), scratchChecked(f));
            }
            if (task.deterministic()) {
                for (HostFunction f : new DeterministicWasi(task.seed()).functions()) {
                    byName.put(f.name(), f);
                }
            }
            List<HostFunction> all = new ArrayList<>(byName.values());
            all.addAll(starlingFunctions());
            return all.toArray(HostFunction[]::new);
        }

        /** A WASI function that stops the task when it failed because the task's files reached their limit. */
        private HostFunction scratchChecked(HostFunction f) {
            return new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                long[] result = f.handle().apply(instance, args);
                if (result != null && result.length == 1 && result[0] == EIO && filesFull()) {
                    throw new Stop(TaskResult.Status.SCRATCH_LIMIT, "the task's files reached their limit of "
                            + task.limits().scratchBytes() + " bytes (scratch and /output together)");
                }
                return result;
            });
        }

        /** Starling's host module {@code starling}, declared in {@code starling.h}. */
        private List<HostFunction> starlingFunctions() {
            String m = ModuleCheck.STARLING;
            return List.of(
                    new HostFunction(m, "checkpoint_due", FunctionType.returning(ValType.I32), (instance, args) -> {
                        atSafepoint();
                        return new long[] {control.checkpointDue() ? 1 : 0};
                    }),
                    new HostFunction(m, "checkpoint_done", FunctionType.empty(), (instance, args) -> {
                        try {
                            control.checkpointDone(filesUnder(files.getPath("/checkpoint")));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return null;
                    }),
                    new HostFunction(m, "progress", FunctionType.accepting(ValType.F64), (instance, args) -> {
                        double fraction = Double.longBitsToDouble(args[0]);
                        if (fraction >= 0 && fraction <= 1) { // false for NaN
                            control.progress(fraction);
                        }
                        return null;
                    }));
        }
    }
}
