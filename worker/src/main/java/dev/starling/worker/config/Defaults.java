package dev.starling.worker.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every setting's default, in one place. Most are written as a volunteer writes a value ({@code 30s}, {@code 4G}):
 * {@code starling worker --help} shows them as they are here, and the records read them as they read a value from
 * the config file. The rest depend on the machine and are worked out here when asked for. A setting without a
 * default here has none: no cap, no limit, not given.
 */
public final class Defaults {
    /** {@code --grace-period} */
    public static final String GRACE_PERIOD = "30s";
    /** {@code --start-spread}: a person starting a worker wants it at work at once; the service unit spreads */
    public static final String START_SPREAD = "0s";
    /** {@code --log-level} */
    public static final String LOG_LEVEL = "info";
    /** {@code --cache-size}: enough for a few large inputs, small beside a disk */
    public static final String CACHE_SIZE = "4G";
    /** {@code --peer-port}: any free port */
    public static final String PEER_PORT = "0";
    /** {@code --cpu-limit} */
    public static final String CPU_LIMIT = "100";
    /** {@code --cpu-limit-idle}: unless set, as {@code --cpu-limit}, so that a limit set before it came stays whole */
    public static final String CPU_LIMIT_IDLE = "as --cpu-limit";
    /** {@code --busy-cpu} */
    public static final String BUSY_CPU = "25";
    /** {@code --busy-grace}: longer than a page load or a short build step, short beside a task */
    public static final String BUSY_GRACE = "10s";
    /**
     * {@code --max-cpu-temp}, degrees Celsius: below where CPUs throttle themselves (95 to 105), above where a
     * well-cooled one sits under load; tasks go on {@value dev.starling.worker.control.SuspendPolicy#COOLING} degrees
     * lower
     */
    public static final String MAX_CPU_TEMP = "85";
    /** {@code --idle-after} */
    public static final String IDLE_AFTER = "3m";
    /** {@code --work-buffer} */
    public static final String WORK_BUFFER = "10m";
    /** {@code --checkpoint-interval} */
    public static final String CHECKPOINT_INTERVAL = "60s";

    private Defaults() {}

    /** {@code --cores}: every processor of this machine. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * {@code --wasm-memory}: a quarter of this machine's memory, within what this JVM's heap holds beside the worker
     * ({@link WorkerConfig#largestWasmMemoryMiB}); in MiB.
     */
    public static int wasmMemoryMiB() {
        long machine = physicalMemoryBytes();
        long quarter = machine > 0 ? machine / 4 : Long.MAX_VALUE;
        return (int) Math.min(quarter >> 20, WorkerConfig.largestWasmMemoryMiB(Runtime.getRuntime().maxMemory()));
    }

    /** The machine's physical memory where the platform tells it; 0 where it does not. */
    public static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getTotalMemorySize());
        }
        return 0;
    }

    /** {@code --name}: the machine's host name, as the system or the environment tells it. */
    public static String name() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host != null && !host.isBlank()) {
                return host;
            }
        } catch (UnknownHostException e) {
            // fall through to the environment
        }
        String fromEnv = Optional.ofNullable(System.getenv("HOSTNAME")).orElse(System.getenv("COMPUTERNAME"));
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "worker";
    }

    /** {@code --work-dir}: {@code .starling/worker} in the user's {@code home} folder. */
    public static Path workDir(String home) {
        return Path.of(home, ".starling", "worker");
    }
}
