package dev.starling.worker.wasm;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmInputFile;
import dev.starling.proto.v1.WasmLimits;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.WasmTask;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A deployed (WebAssembly) app's task as the worker runs it: its {@link WasmWorkUnit} read from {@code Task.input}
 * and checked field by field, since it comes from the network. Whatever is wrong is refused with a message naming the
 * field; what is read is a task the sandbox can run.
 *
 * @param module the module's blob id, one of the task's inputs
 * @param files file name under {@code /input/} to blob id (each one of the task's inputs), in name order
 * @param deterministic false when the app's manifest opted out of the deterministic clocks and random bytes
 * @param stdinFile the input file whose content is the standard input (a reduce step's), or null when {@code stdin}
 *     is
 */
public record DeployedTask(String module, List<String> args, byte[] stdin, SortedMap<String, String> files,
        WasmTask.Limits limits, long seed, boolean deterministic, String stdinFile) {
    /** The most arguments, and characters in one: as many as the coordinator takes in a job's work unit. */
    static final int MAX_ARGS = 1000;
    static final int MAX_ARG_CHARS = 4096;
    /** The most bytes of standard input (the coordinator takes 64 Ki characters, up to four bytes each). */
    static final int MAX_STDIN_BYTES = 256 << 10;
    /**
     * The most bytes of an input file read as standard input (a reduce step's outputs): they are held in the heap, as
     * the sandbox's standard input is.
     */
    public static final long MAX_STDIN_FILE_BYTES = 64L << 20;
    /** The most input files: the job's shared ones and the work unit's own, 64 each at the coordinator. */
    static final int MAX_FILES = 128;
    /** The most scratch space a task may ask for: a sanity bound (its files are held in the heap). */
    static final long MAX_SCRATCH_BYTES = 16L << 30;
    /** A plain file name, as the coordinator takes under {@code /input/} and {@code /output/}. */
    public static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    public DeployedTask {
        args = List.copyOf(args);
        files = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** Whether {@code app} names a deployed version ({@code name@version}) rather than a built-in app. */
    public static boolean isDeployed(String app) {
        return app.indexOf('@') >= 0;
    }

    /**
     * Reads and checks a deployed app's task.
     *
     * @param maxOutputBytes the largest output this worker reports (inline): no task may ask for more stdout
     * @throws IllegalArgumentException saying which field is wrong
     */
    public static DeployedTask read(Task task, long maxOutputBytes) {
        WasmWorkUnit unit;
        try {
            unit = WasmWorkUnit.parseFrom(task.getInput());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the input is not a WasmWorkUnit: " + e.getMessage());
        }
        Set<String> inputs = task.getInputsList().stream().map(BlobSource::getBlobId).collect(Collectors.toSet());
        String module = blob("module", unit.getModule(), inputs);
        if (unit.getArgsCount() > MAX_ARGS) {
            throw new IllegalArgumentException("args: " + unit.getArgsCount() + " arguments, more than " + MAX_ARGS);
        }
        for (int i = 0; i < unit.getArgsCount(); i++) {
            String arg = unit.getArgs(i);
            if (arg.length() > MAX_ARG_CHARS || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("args[" + i + "]: more than " + MAX_ARG_CHARS
                        + " characters, or a NUL character");
            }
        }
        if (unit.getStdin().size() > MAX_STDIN_BYTES) {
            throw new IllegalArgumentException("stdin: " + unit.getStdin().size() + " bytes, more than "
                    + MAX_STDIN_BYTES);
        }
        if (unit.getFilesCount() > MAX_FILES) {
            throw new IllegalArgumentException("files: " + unit.getFilesCount() + " files, more than " + MAX_FILES);
        }
        SortedMap<String, String> files = new TreeMap<>();
        for (WasmInputFile file : unit.getFilesList()) {
            if (!FILE_NAME.matcher(file.getName()).matches()) {
                throw new IllegalArgumentException("files: '" + printable(file.getName()) + "' is not a plain file"
                        + " name (letters, digits, '.', '_', '-'; at most 128 characters)");
            }
            if (files.put(file.getName(), blob("files." + file.getName(), file.getBlobId(), inputs)) != null) {
                throw new IllegalArgumentException("files: '" + file.getName() + "' is named twice");
            }
        }
        String stdinFile = null;
        if (!unit.getStdinFile().isEmpty()) {
            if (!files.containsKey(unit.getStdinFile())) {
                throw new IllegalArgumentException("stdin_file: '" + printable(unit.getStdinFile())
                        + "' is not one of the task's input files");
            }
            if (!unit.getStdin().isEmpty()) {
                throw new IllegalArgumentException("stdin_file: a task has stdin or stdin_file, not both");
            }
            stdinFile = unit.getStdinFile();
        }
        return new DeployedTask(module, unit.getArgsList(), unit.getStdin().toByteArray(), files,
                limits(unit.getLimits(), maxOutputBytes), unit.getSeed(), !unit.getNondeterministic(), stdinFile);
    }

    private static WasmTask.Limits limits(WasmLimits limits, long maxOutputBytes) {
        if (limits.getMemoryMib() < 1 || limits.getMemoryMib() > 2047) {
            throw new IllegalArgumentException("limits.memory_mib must be from 1 to 2047, was "
                    + Integer.toUnsignedString(limits.getMemoryMib()));
        }
        if (limits.getMaxCpuSeconds() < 1) {
            throw new IllegalArgumentException("limits.max_cpu_seconds must be at least 1, was 0");
        }
        if (Long.compareUnsigned(limits.getMaxOutputBytes(), maxOutputBytes) > 0) {
            throw new IllegalArgumentException("limits.max_output_bytes is "
                    + Long.toUnsignedString(limits.getMaxOutputBytes()) + ", more than this worker reports ("
                    + maxOutputBytes + ")");
        }
        if (Long.compareUnsigned(limits.getMaxScratchBytes(), MAX_SCRATCH_BYTES) > 0) {
            throw new IllegalArgumentException("limits.max_scratch_bytes is "
                    + Long.toUnsignedString(limits.getMaxScratchBytes()) + ", more than a worker gives a task ("
                    + MAX_SCRATCH_BYTES + ")");
        }
        return new WasmTask.Limits(limits.getMemoryMib(),
                Duration.ofSeconds(Integer.toUnsignedLong(limits.getMaxCpuSeconds())), limits.getMaxOutputBytes(),
                limits.getMaxScratchBytes());
    }

    /** A blob id the task names, which must be one of its inputs (the only blobs it may open). */
    private static String blob(String field, String blobId, Set<String> inputs) {
        if (!ContentAddress.isValid(blobId)) {
            throw new IllegalArgumentException(field + ": '" + printable(blobId) + "' is not a blob id");
        }
        if (!inputs.contains(blobId)) {
            throw new IllegalArgumentException(field + ": blob " + blobId + " is not one of the task's inputs");
        }
        return blobId;
    }

    /** The start of a hostile string, safe to put in a message. */
    private static String printable(String s) {
        return ErrorText.clean(s.length() <= 64 ? s : s.substring(0, 64) + "...", 80);
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }

    /** The sandbox's task: its arguments, standard input, seed and limits (input files and checkpoint to add). */
    public WasmTask.Builder builder() {
        return WasmTask.builder().args(args).stdin(stdin).seed(seed).deterministic(deterministic).limits(limits);
    }
}
