package dev.starling.worker.config;

import dev.starling.wasm.signing.TrustedKeys;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.support.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The worker's whole configuration, checked: what the person running it chose, over the {@link Defaults}, one
 * record per concern. A refusal names the setting as the volunteer wrote it ({@code --cores must be at least 1}).
 *
 * @param coordinator where the coordinator listens
 * @param name the host's name as the coordinator shows it, 1 to 200 characters (surrounding blanks dropped)
 * @param cores how many tasks run at once (at least 1)
 * @param wasmMemoryMiB the linear memory WebAssembly tasks may hold together, MiB ({@code --wasm-memory}); 0: this
 *     worker runs no deployed apps. It lives in the heap, so it must fit there beside the worker
 *     ({@link #largestWasmMemoryMiB})
 * @param appKeys the project's public keys ({@code --app-key}), given out of band: with any, the worker runs only
 *     deployed apps signed with one of them (or with a key one of them announced); none: every deployed app
 * @param workDir where the worker keeps its identity and state
 * @param gracePeriod how long running tasks may finish when the worker is asked to stop
 * @param startSpread the longest a host that registered before waits, at random, before its first call to the
 *     coordinator, so that a fleet started together (a lab's machines after a power cut, an upgrade rolled out at once)
 *     does not reach it at once; a host's first start ever does not wait
 * @param fault a fault to inject (end-to-end tests only)
 * @param dataPlane the blob cache and serving peers
 * @param preferences how the worker shares the machine: CPU, idleness, hours, memory, disk, work in hand
 * @param accountKey the volunteer's account key, which makes the host theirs; empty: an anonymous host (which
 *     the coordinator may refuse); blank counts as empty
 * @param tls plaintext or TLS to the coordinator
 * @param settings the settings something other than the defaults chose, and where each came from, in the order
 *     {@code --help} lists them; every other one is at its default
 */
public record WorkerConfig(
        HostPort coordinator,
        String name,
        int cores,
        int wasmMemoryMiB,
        TrustedKeys appKeys,
        Path workDir,
        Duration gracePeriod,
        Duration startSpread,
        Optional<Fault> fault,
        DataPlaneConfig dataPlane,
        Preferences preferences,
        Optional<String> accountKey,
        CoordinatorTls tls,
        List<Setting> settings) {

    public WorkerConfig {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(appKeys, "appKeys");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(preferences, "preferences");
        Objects.requireNonNull(tls, "tls");
        settings = List.copyOf(settings);
        name = checkedName(name);
        checkCores(cores);
        checkWasmMemory(wasmMemoryMiB, Runtime.getRuntime().maxMemory());
        Preferences.notNegative("--grace-period", Objects.requireNonNull(gracePeriod, "gracePeriod"));
        Preferences.notNegative("--start-spread", Objects.requireNonNull(startSpread, "startSpread"));
        accountKey = checkedAccountKey(accountKey);
    }

    private static String checkedName(String given) {
        String name = Objects.requireNonNull(given, "name").strip();
        if (name.isEmpty() || name.length() > 200) {
            throw new IllegalArgumentException("--name must have 1 to 200 characters, was '" + given + "'");
        }
        return name;
    }

    private static void checkCores(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("--cores must be at least 1, was " + cores);
        }
    }

    /** The heap the worker itself needs beside its WebAssembly tasks, MiB. */
    private static final long WORKER_HEAP_MIB = 192;

    /**
     * The most {@code --wasm-memory} a heap of {@code maxHeapBytes} holds: two thirds of what the worker leaves
     * ({@value #WORKER_HEAP_MIB} MiB), since a memory that grows is copied into a larger array (both are held a
     * moment) and a task's scratch files are held in the heap too.
     */
    public static int largestWasmMemoryMiB(long maxHeapBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, ((maxHeapBytes >> 20) - WORKER_HEAP_MIB) * 2 / 3));
    }

    static void checkWasmMemory(int mib, long maxHeapBytes) {
        if (mib < 0) {
            throw new IllegalArgumentException("--wasm-memory must not be negative, was " + mib + "M");
        }
        int largest = largestWasmMemoryMiB(maxHeapBytes);
        if (mib > largest) {
            throw new IllegalArgumentException("--wasm-memory " + mib + "M does not fit this worker's heap of "
                    + (maxHeapBytes >> 20) + "M: WebAssembly tasks' memory is held in the heap, beside the worker's"
                    + " own, so at most " + largest + "M here. Give Java a larger heap (JAVA_OPTS=-Xmx"
                    + ((WORKER_HEAP_MIB + (3L * mib + 1) / 2 + 1023) / 1024) + "g) or lower --wasm-memory (0: no"
                    + " WebAssembly)");
        }
    }

    private static Optional<String> checkedAccountKey(Optional<String> given) {
        Optional<String> key = Objects.requireNonNull(given, "accountKey").map(String::strip).filter(k -> !k.isEmpty());
        if (key.isPresent() && key.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("--account-key must be the key as sign-up printed it (sv_...)");
        }
        return key;
    }

    /** This configuration with other cores, preferences and settings (the account's layer: {@link AccountLayer}). */
    public WorkerConfig with(int cores, Preferences preferences, List<Setting> settings) {
        return new WorkerConfig(coordinator, name, cores, wasmMemoryMiB, appKeys, workDir, gracePeriod, startSpread,
                fault, dataPlane, preferences, accountKey, tls, settings);
    }

    /** Starts from the {@link Defaults}, for the coordinator {@code coordinator} and the work dir {@code workDir}. */
    public static Builder builder(HostPort coordinator, Path workDir) {
        return new Builder(workDir).coordinator(Objects.requireNonNull(coordinator, "coordinator"));
    }

    /** Starts from the {@link Defaults}; the coordinator is named later, before {@link Builder#build}. */
    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** A configuration, from the defaults up. */
    public static final class Builder {
        private final Path workDir;
        private HostPort coordinator;
        private String name;
        private int cores = Defaults.cores();
        private Integer wasmMemoryMiB; // null: Defaults.wasmMemoryMiB(), worked out when built
        private TrustedKeys appKeys = TrustedKeys.none();
        private Duration gracePeriod = Durations.parse(Defaults.GRACE_PERIOD);
        private Duration startSpread = Durations.parse(Defaults.START_SPREAD);
        private Optional<Fault> fault = Optional.empty();
        private DataPlaneConfig dataPlane = DataPlaneConfig.defaults();
        private Preferences preferences = Preferences.defaults();
        private Optional<String> accountKey = Optional.empty();
        private CoordinatorTls tls = CoordinatorTls.PLAINTEXT;
        private List<Setting> settings = List.of();

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        public Builder coordinator(HostPort value) {
            coordinator = value;
            return this;
        }

        /** Default: the machine's host name. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder cores(int value) {
            cores = value;
            return this;
        }

        /** MiB; 0: no WebAssembly. Default: {@link Defaults#wasmMemoryMiB}. */
        public Builder wasmMemoryMiB(int value) {
            wasmMemoryMiB = value;
            return this;
        }

        /** Default: none, every deployed app runs. */
        public Builder appKeys(TrustedKeys value) {
            appKeys = value;
            return this;
        }

        public Builder gracePeriod(Duration value) {
            gracePeriod = value;
            return this;
        }

        public Builder startSpread(Duration value) {
            startSpread = value;
            return this;
        }

        public Builder fault(Optional<Fault> value) {
            fault = value;
            return this;
        }

        public Builder dataPlane(DataPlaneConfig value) {
            dataPlane = value;
            return this;
        }

        public Builder preferences(Preferences value) {
            preferences = value;
            return this;
        }

        public Builder accountKey(Optional<String> value) {
            accountKey = value;
            return this;
        }

        public Builder tls(CoordinatorTls value) {
            tls = value;
            return this;
        }

        public Builder settings(List<Setting> value) {
            settings = value;
            return this;
        }

        /**
         * Checks what {@link #build} checks but the coordinator, which {@code starling worker status} and
         * {@code --help} do without.
         *
         * @throws IllegalArgumentException naming the setting that is wrong
         */
        public Builder check() {
            if (name != null) {
                checkedName(name);
            }
            checkCores(cores);
            if (wasmMemoryMiB != null) {
                checkWasmMemory(wasmMemoryMiB, Runtime.getRuntime().maxMemory());
            }
            Preferences.notNegative("--grace-period", gracePeriod);
            Preferences.notNegative("--start-spread", startSpread);
            checkedAccountKey(accountKey);
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is wrong
         * @throws NullPointerException when no coordinator was named
         */
        public WorkerConfig build() {
            return new WorkerConfig(coordinator, name != null ? name : Defaults.name(), cores,
                    wasmMemoryMiB != null ? wasmMemoryMiB : Defaults.wasmMemoryMiB(), appKeys, workDir, gracePeriod,
                    startSpread, fault, dataPlane, preferences, accountKey, tls, settings);
        }
    }
}
