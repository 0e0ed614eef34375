package dev.starling.worker.tasks;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.wasm.ModuleCheck;
import dev.starling.wasm.ModuleRefusedException;
import dev.starling.wasm.TaskCancelledException;
import dev.starling.wasm.TaskControl;
import dev.starling.wasm.TaskResult;
import dev.starling.wasm.WasmSandbox;
import dev.starling.wasm.WasmTask;
import dev.starling.worker.wasm.CheckpointFiles;
import dev.starling.worker.wasm.DeployedTask;
import dev.starling.worker.wasm.ErrorText;
import dev.starling.worker.wasm.WasmEngine;
import dev.starling.worker.wasm.WasmMemory;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deployed apps' tasks (every app named {@code name@version}) in the WebAssembly sandbox, and hands the built-in
 * apps' tasks to the in-process runner. A deployed task is read and checked ({@link DeployedTask}), waits for its
 * {@code memoryMiB} within {@code --wasm-memory} ({@link WasmMemory}) and for a core, runs in a fresh instance of its
 * module (compiled once per worker process: {@link WasmEngine}) with its arguments, standard input and read-only
 * input files, and is steered like any task: it waits at its safepoints while computing is suspended, is paced to
 * {@code --cpu-limit}, stops when cancelled, saves checkpoints when they are due and reports progress. Its output is a
 * {@link WasmOutput} envelope; a limit, a trap or a non-zero exit is a failure whose message says which, with the end
 * of the module's standard error ({@link ErrorText}).
 */
public final class WasmTaskRunner implements TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(WasmTaskRunner.class);

    private final InProcessTaskRunner builtIn;
    private final WasmEngine engine;
    private final WasmMemory memory;
    private final int maxOutputBytes;
    private final Clock clock;
    private final Duration checkpointInterval;

    /**
     * @param builtIn runs the built-in apps' tasks, and lends its cores, compute gate and pacing to the others
     * @param maxOutputBytes the largest output reported (inline): the envelope, stdout and files together
     */
    public WasmTaskRunner(InProcessTaskRunner builtIn, WasmEngine engine, WasmMemory memory, int maxOutputBytes,
            Clock clock, Duration checkpointInterval) {
        this.builtIn = builtIn;
        this.engine = engine;
        this.memory = memory;
        this.maxOutputBytes = maxOutputBytes;
        this.clock = clock;
        this.checkpointInterval = checkpointInterval;
    }

    @Override
    public TaskOutcome run(RunningTask running) {
        if (!DeployedTask.isDeployed(running.task().getApp())) {
            return builtIn.run(running);
        }
        DeployedTask task;
        try {
            task = DeployedTask.read(running.task(), maxOutputBytes);
        } catch (IllegalArgumentException e) {
            return new TaskOutcome.Failed("malformed task: " + e.getMessage(), Duration.ZERO);
        }
        String refusal = memory.refusal(task.limits().memoryMiB());
        if (refusal != null) {
            log.warn("{} is given back: {}", running, refusal);
            return new TaskOutcome.GivenBack(refusal);
        }
        if (running.isCancelled()) {
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        WasmMemory.Grant grant;
        try {
            grant = memory.acquire(task.limits().memoryMiB());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        try {
            return builtIn.onCore(running, () -> compute(running, task));
        } finally {
            grant.close();
        }
    }

    /** Runs the task on a core and within the memory the caller holds. */
    private TaskOutcome compute(RunningTask running, DeployedTask task) {
        WasmSandbox.Module module;
        WasmTask wasmTask;
        try {
            module = engine.load(task.module(), () -> read(running.blobs(), task.module()));
            WasmTask.Builder builder = task.builder();
            for (var file : task.files().entrySet()) {
                builder.inputFile(file.getKey(), running.blobs().file(file.getValue()));
            }
            if (task.stdinFile() != null) {
                String blob = task.files().get(task.stdinFile());
                if (running.blobs().size(blob) > DeployedTask.MAX_STDIN_FILE_BYTES) {
                    return new TaskOutcome.Failed("the standard input /input/" + task.stdinFile() + " has "
                            + running.blobs().size(blob) + " bytes, more than the " + DeployedTask.MAX_STDIN_FILE_BYTES
                            + " a worker reads as standard input", Duration.ZERO);
                }
                try (InputStream in = running.blobs().open(blob)) {
                    builder.stdin(in.readAllBytes());
                }
            }
            running.checkpoint().ifPresent(state -> resume(running, builder, state));
            wasmTask = builder.build();
        } catch (ModuleRefusedException e) {
            return new TaskOutcome.Failed("the module was refused: " + ErrorText.clean(e.getMessage(), 1000),
                    Duration.ZERO);
        } catch (IOException e) {
            log.warn("{} is given back: its blobs could not be read from the cache: {}", running, e.toString());
            return new TaskOutcome.GivenBack("the worker's blob cache failed: " + e.getMessage());
        }
        running.startsComputing(clock.instant());
        TaskResult result = engine.run(module, wasmTask, new Control(running));
        running.attach(Thread.currentThread()); // the task's own thread is done with it
        Duration cpu = Duration.ofNanos(result.cpuNanos());
        if (running.isCancelled() || result.status() == TaskResult.Status.CANCELLED) {
            return new TaskOutcome.Cancelled(cpu);
        }
        if (!result.succeeded()) {
            return new TaskOutcome.Failed(ErrorText.of(result), cpu);
        }
        WasmOutput.Builder envelope = WasmOutput.newBuilder().setStdout(ByteString.copyFrom(result.stdout()));
        for (Map.Entry<String, byte[]> file : new TreeMap<>(result.outputFiles()).entrySet()) {
            if (!DeployedTask.FILE_NAME.matcher(file.getKey()).matches()) {
                return new TaskOutcome.Failed("the module wrote /output/" + ErrorText.clean(file.getKey(), 200)
                        + ": only plain files directly under /output/ are kept (letters, digits, '.', '_', '-')", cpu);
            }
            envelope.addFiles(WasmOutputFile.newBuilder().setName(file.getKey())
                    .setContent(ByteString.copyFrom(file.getValue())));
        }
        WasmOutput output = envelope.build();
        if (output.getSerializedSize() > maxOutputBytes) {
            return new TaskOutcome.Failed("the output (standard output and the files under /output/) has "
                    + output.getSerializedSize() + " bytes, more than the " + maxOutputBytes
                    + " a result may carry", cpu);
        }
        return new TaskOutcome.Succeeded(output.toByteArray(), cpu, running.blobs().produced());
    }

    private static byte[] read(TaskBlobs blobs, String blobId) throws IOException {
        long size = blobs.size(blobId);
        if (size > ModuleCheck.DEFAULT_MAX_BYTES) {
            throw new ModuleRefusedException("the module has " + size + " bytes, more than the "
                    + ModuleCheck.DEFAULT_MAX_BYTES + " the sandbox takes");
        }
        try (InputStream in = blobs.open(blobId)) {
            return in.readAllBytes();
        }
    }

    /** Puts the checkpoint the task resumes from under {@code /checkpoint/}, or starts over when it cannot be read. */
    private static void resume(RunningTask running, WasmTask.Builder builder, byte[] state) {
        Map<String, byte[]> files = CheckpointFiles.decode(state).orElse(null);
        if (files == null || !files.keySet().stream().allMatch(n -> DeployedTask.FILE_NAME.matcher(n).matches())) {
            log.warn("The checkpoint of {} cannot be read, or is not plain files under /checkpoint/; the task starts"
                    + " over", running);
            return;
        }
        files.forEach(builder::checkpointFile);
    }

    /** The worker's side of a running module, called on the module's own thread. */
    private final class Control implements TaskControl {
        private final RunningTask running;
        private TaskPace pace; // made on the module's thread, at its first safepoint

        Control(RunningTask running) {
            this.running = running;
        }

        @Override
        public void safepoint() {
            if (pace == null) {
                running.attach(Thread.currentThread()); // a cancellation interrupts this thread's waits from now on
                pace = builtIn.pace();
            }
            pace.step(); // waits while computing is suspended, sleeps to keep to --cpu-limit
            if (running.isCancelled() || Thread.interrupted()) {
                throw new TaskCancelledException("the coordinator or the worker stopped the task");
            }
        }

        @Override
        public boolean checkpointDue() {
            return running.checkpointDue(clock.instant(), checkpointInterval);
        }

        @Override
        public void checkpointDone(Map<String, byte[]> checkpointFiles) {
            running.saveCheckpoint(CheckpointFiles.encode(checkpointFiles), clock.instant());
        }

        @Override
        public void progress(double fractionDone) {
            running.progress(fractionDone);
        }
    }
}
