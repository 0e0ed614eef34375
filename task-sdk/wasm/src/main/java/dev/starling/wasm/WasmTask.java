package dev.starling.wasm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One run of a module: what it is given and what it may use. Build with {@link #builder}; {@code build()} checks
 * everything, so a task that exists is one the sandbox can run.
 *
 * @param args the arguments after the program name ({@code argv[1..]}); {@code argv[0]} is {@link #PROGRAM_NAME}
 * @param stdin the bytes the module reads from standard input
 * @param inputFiles files copied into {@code /input/<name>} before the run (name to host file): a private copy, so
 *     whatever the module does to it, the host file (a blob in the worker's cache) is never changed
 * @param checkpoint the files of the checkpoint the task resumes from, put under {@code /checkpoint/} (path to bytes)
 * @param seed what the deterministic clocks and random bytes are derived from: a function of the work unit
 * @param deterministic false only for apps whose manifest opts out ({@code "deterministic": false}): the WASI clocks,
 *     {@code random_get} and {@code poll_oneoff} are then the host's own
 */
public record WasmTask(List<String> args, byte[] stdin, Map<String, Path> inputFiles, Map<String, byte[]> checkpoint,
        long seed, boolean deterministic, Limits limits) {
    /** {@code argv[0]} of every task, the same on every runner. */
    public static final String PROGRAM_NAME = "app";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    /**
     * What a task may use; exceeding any of them fails the task with a message naming it.
     *
     * @param memoryMiB the most linear memory: {@code memory.grow} past it returns -1, as WebAssembly specifies
     * @param maxCpu the task thread's own CPU time (a slow or throttled host is not failed for being slow)
     * @param maxOutputBytes the most bytes of standard output; past it the task fails, output is never truncated
     * @param scratchBytes the most bytes the task's files may take: its scratch folder and {@code /output} together
     */
    public record Limits(int memoryMiB, Duration maxCpu, long maxOutputBytes, long scratchBytes) {
        public static final Limits DEFAULT = new Limits(256, Duration.ofHours(1), 1 << 20, 64L << 20);

        public Limits {
            if (memoryMiB < 1 || memoryMiB > 2047) {
                throw new IllegalArgumentException("memoryMiB must be from 1 to 2047, was " + memoryMiB);
            }
            Objects.requireNonNull(maxCpu, "maxCpu");
            if (maxCpu.isNegative() || maxCpu.isZero()) {
                throw new IllegalArgumentException("maxCpu must be positive, was " + maxCpu);
            }
            if (maxOutputBytes < 0 || maxOutputBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxOutputBytes must be from 0 to 2^31 - 9, was " + maxOutputBytes);
            }
            if (scratchBytes < 0) {
                throw new IllegalArgumentException("scratchBytes must be >= 0, was " + scratchBytes);
            }
        }

        int memoryPages() {
            return memoryMiB * 16;
        }
    }

    public WasmTask {
        args = List.copyOf(args);
        stdin = stdin.clone();
        inputFiles = Map.copyOf(inputFiles);
        checkpoint = Map.copyOf(checkpoint);
        Objects.requireNonNull(limits, "limits");
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }

    /** {@code argv} as the module sees it. */
    List<String> argv() {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(PROGRAM_NAME);
        argv.addAll(args);
        return argv;
    }

    /** The input files in name order, the order they are copied in (which fixes their inode numbers). */
    Map<String, Path> sortedInputFiles() {
        return new TreeMap<>(inputFiles);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private byte[] stdin = new byte[0];
        private final Map<String, Path> inputFiles = new TreeMap<>();
        private final Map<String, byte[]> checkpoint = new TreeMap<>();
        private long seed;
        private boolean deterministic = true;
        private Limits limits = Limits.DEFAULT;

        private Builder() {}

        public Builder args(List<String> values) {
            args.addAll(values);
            return this;
        }

        public Builder args(String... values) {
            return args(List.of(values));
        }

        public Builder stdin(byte[] bytes) {
            this.stdin = bytes.clone();
            return this;
        }

        /** A file the module reads at {@code /input/<name>}; the name is a plain file name (no {@code /}). */
        public Builder inputFile(String name, Path hostFile) {
            inputFiles.put(name, hostFile);
            return this;
        }

        /** A file of the checkpoint to resume from, at {@code /checkpoint/<name>} (a plain file name). */
        public Builder checkpointFile(String name, byte[] content) {
            checkpoint.put(name, content.clone());
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder deterministic(boolean value) {
            this.deterministic = value;
            return this;
        }

        public Builder limits(Limits value) {
            this.limits = value;
            return this;
        }

        public WasmTask build() {
            for (String arg : args) {
                if (arg.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("an argument contains a NUL character");
                }
            }
            for (var entry : inputFiles.entrySet()) {
                if (!FILE_NAME.matcher(entry.getKey()).matches() || entry.getKey().equals("..")) {
                    throw new IllegalArgumentException("input file name '" + entry.getKey()
                            + "' is not a plain file name (letters, digits, '.', '_', '-'; at most 128)");
                }
                Objects.requireNonNull(entry.getValue(), "input file " + entry.getKey());
            }
            for (String name : checkpoint.keySet()) {
                if (!FILE_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("checkpoint file name '" + name + "' is not a plain file name");
                }
            }
            return new WasmTask(args, stdin, inputFiles, checkpoint, seed, deterministic, limits);
        }
    }
}
