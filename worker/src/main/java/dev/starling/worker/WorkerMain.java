package dev.starling.worker;

import dev.starling.sdk.Apps;
import dev.starling.worker.config.CoordinatorAddress;
import dev.starling.worker.config.CoordinatorTls;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.session.ProtocolTooOldException;
import dev.starling.worker.session.RefusedException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code starling worker}: the worker daemon. Runs until it is stopped (SIGTERM, Ctrl-C). */
@Command(
        name = "starling worker",
        subcommands = StatusCommand.class,
        mixinStandardHelpOptions = true,
        versionProvider = WorkerMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = ExitCodes.INVALID_INPUT,
        exitCodeOnExecutionException = ExitCodes.ERROR,
        description = {
            "Runs a Starling worker: pulls tasks from the coordinator, computes them on this machine and reports"
                    + " the results. Runs until stopped; on SIGTERM or Ctrl-C, running tasks get the grace period to"
                    + " finish or save a checkpoint (kept, to resume at the next start), and the rest are given back.",
        },
        footer = {
            "",
            "Every option can also be set in the config file, as 'name = value' without the",
            "dashes (for example 'coordinator = coord.example.org:9090', 'cores = 50%%',",
            "'no-serve = true'); options given on the command line win.",
            "See docs/volunteer-guide.md.",
            "",
            "Examples:",
            "  starling worker --coordinator localhost:9090 --account-key sv_12_...",
            "  starling worker                      (everything from the config file)",
            "  starling worker status               (what the running worker is doing)",
            "  STARLING_ACCOUNT_KEY=sv_12_... starling worker \\",
            "      --coordinator coord.example.org:9090 --cores 2 --name lab-pc-3",
            "  starling worker --coordinator coord.example.org:9090 \\",
            "      --cores 50%% --cpu-limit 60 --idle-only",
            "  starling worker --coordinator coord.example.org:9090 \\",
            "      --compute-hours 19:00-07:00",
            "  starling worker --coordinator coord.example.org:9090 --tls --upload-rate 2M",
            "  starling worker --coordinator coord.example.org:9090 \\",
            "      --coordinator-ca project-ca.pem",
            "  starling worker --coordinator coord.example.org:9090 --no-serve",
            "",
            "Exit codes: 0 done, 1 error, 2 invalid command line, 3 worker too old for the",
            "coordinator, 4 refused by the coordinator (wrong or missing account key, banned",
            "host); stopped by a signal: 128 + its number (143 for SIGTERM, 130 for Ctrl-C),",
            "after a clean stop.",
        })
public final class WorkerMain implements Callable<Integer> {

    /** How much the worker logs. */
    enum LogLevel {
        ERROR,
        WARN,
        INFO,
        DEBUG,
        TRACE
    }

    private static final long MIB = 1 << 20;

    @Spec
    private CommandSpec spec;

    @Option(names = "--coordinator", order = 1, paramLabel = "HOST:PORT", converter = AddressConverter.class,
            description = "Where the coordinator's gRPC endpoint listens (required, here or in the config file).")
    private CoordinatorAddress coordinator;

    private String name;

    @Option(names = "--name", order = 5, paramLabel = "NAME", description = "This host's name at the coordinator, 1 to 200 characters (default: the machine's host name).")
    void setName(String value) {
        if (value.isBlank() || value.strip().length() > 200) {
            throw new ParameterException(spec.commandLine(), "--name must have 1 to 200 characters, was '" + value + "'");
        }
        name = value.strip();
    }

    private Integer cores;

    private String accountKey;

    @Option(names = "--tls", order = 3, description = "Talk TLS to the coordinator, checking its certificate against "
            + "the system's trust store (or --coordinator-ca).")
    private boolean tls;

    private Path coordinatorCa;

    @Option(names = "--coordinator-ca", order = 4, paramLabel = "FILE", description = "Talk TLS to the coordinator and "
            + "trust the CA certificates in this PEM file (for a project's own or self-signed certificate).")
    void setCoordinatorCa(Path value) {
        if (!java.nio.file.Files.isRegularFile(value)) {
            throw new ParameterException(spec.commandLine(), "--coordinator-ca: no such file " + value);
        }
        coordinatorCa = value;
    }

    @Option(names = "--account-key", order = 2, paramLabel = "KEY", defaultValue = "${env:STARLING_ACCOUNT_KEY}",
            description = "Your volunteer account key (from sign-up): this host becomes yours and earns you credit. "
                    + "Default: the environment variable STARLING_ACCOUNT_KEY. Without one, only a coordinator that "
                    + "takes anonymous hosts accepts the worker.")
    void setAccountKey(String value) {
        if (value == null || value.isBlank()) {
            accountKey = null;
            return;
        }
        if (value.strip().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ParameterException(spec.commandLine(), "--account-key must be the key as sign-up printed it (sv_...)");
        }
        accountKey = value.strip();
    }

    @Option(names = "--work-dir", order = 7, scope = ScopeType.INHERIT, paramLabel = "DIR", description = "Where the worker keeps its identity and state (default: ~/.starling/worker).")
    private Path workDir;

    private Duration gracePeriod = Duration.ofSeconds(30);

    @Option(names = "--log-level", order = 9, paramLabel = "LEVEL", description = "error, warn, info, debug or trace (default:"
            + " info). Logs go to stderr and to <work-dir>/logs/worker.0.log, which rotates at 10 MiB and keeps 5 files.")
    private LogLevel logLevel;

    private Long cacheBytes;
    private Integer peerPort;
    private Long uploadRate;
    private Long downloadRate;
    private String advertiseHost;
    private final ConfigFile configFile;
    private int cpuLimit = 100;
    private int busyCpu = Preferences.DEFAULT_BUSY_CPU_PERCENT;
    private Duration idleAfter = Preferences.DEFAULT_IDLE_AFTER;
    private TimeWindows computeHours = TimeWindows.always();
    private TimeWindows networkHours = TimeWindows.always();
    private long memoryLimit;
    private long diskLimit;
    private Duration workBuffer = Preferences.DEFAULT_WORK_BUFFER;
    private Duration checkpointInterval = Preferences.DEFAULT_CHECKPOINT_INTERVAL;

    @Option(names = "--idle-only", order = 31, description = "Compute only while this machine is otherwise idle: other"
            + " processes use less CPU than --busy-cpu, and (where it can be seen) nobody used the keyboard or mouse"
            + " for --idle-after.")
    private boolean idleOnly;

    @Option(names = "--no-serve", order = 14, description = "Serve no blobs to other workers (the worker still fetches what its tasks read).")
    private boolean noServe;

    @Option(names = "--behind-nat", order = 15, description = "This machine cannot accept connections from other workers: serve none,"
            + " advertise no address, fetch from the peers it can reach and from the coordinator.")
    private boolean behindNat;

    @Option(names = "--inject-fault", order = 20, hidden = true, paramLabel = "FAULT", converter = FaultConverter.class,
            description = "Test only: wrong-output reports a wrong output for every task; corrupt-chunks serves peers corrupted chunks.")
    private Fault fault;

    private final Supplier<Apps> apps;
    private final Tuning tuning;
    private final Clock clock;
    /** Set when run from {@link #main}: then this command sets up logging (tests keep their own). */
    private boolean ownsLogging;

    /**
     * The command with what a volunteer's worker uses: the apps on the class path, default tuning, the system
     * clock, the config file in the user's config folder.
     */
    public WorkerMain() {
        this(Apps::load, Tuning.defaults(), Clock.systemDefaultZone(), ConfigFile.defaultLocation());
    }

    WorkerMain(Supplier<Apps> apps, Tuning tuning, Clock clock, Path defaultConfig) {
        this.apps = apps;
        this.tuning = tuning;
        this.clock = clock;
        this.configFile = new ConfigFile(defaultConfig);
    }

    public static void main(String[] args) {
        Logs.keepOpenUntilExit();
        WorkerMain command = new WorkerMain();
        command.ownsLogging = true;
        int exitCode = commandLine(command, new PrintWriter(System.out, true), new PrintWriter(System.err, true))
                .execute(args);
        System.exit(exitCode);
    }

    /** The command line of {@code command}, writing its output to {@code out} and its diagnostics to {@code err}. */
    public static CommandLine commandLine(WorkerMain command, PrintWriter out, PrintWriter err) {
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(command.configFile)
                .setParameterExceptionHandler((e, args) -> invalidInput(e, args, command.configFile))
                .setOut(out)
                .setErr(err);
    }

    /**
     * A wrong command line or config file: what is wrong and where help is, without the whole usage text. A
     * wrong value that came from the config file is named as a setting of that file.
     */
    private static int invalidInput(ParameterException e, String[] args, ConfigFile config) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        for (String key : ConfigFile.fromFile(config.settings(), args)) {
            if (message.contains("--" + key + "'") || message.contains("--" + key + " ")) {
                message += " (from '" + key + " = " + config.settings().get(key) + "' in the config file "
                        + config.file().orElseThrow() + ")";
                break;
            }
        }
        err.println("starling worker: " + message);
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try 'starling worker --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Option(names = "--config", order = 0, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The config file to read settings from (default: worker.properties in your config folder,"
                    + " on Linux ~/.config/starling/worker.properties).")
    void setConfig(Path file) {
        configFile.choose(file);
    }

    @Option(names = "--cores", order = 6, paramLabel = "N|P%",
            description = "How many tasks compute at once: a count, from 1 to this machine's processors, or a share of"
                    + " them such as 50%% (default: all processors).")
    void setCores(String value) {
        String text = value.strip();
        int processors = Runtime.getRuntime().availableProcessors();
        try {
            if (text.endsWith("%")) {
                int percent = Integer.parseInt(text.substring(0, text.length() - 1).strip());
                if (percent < 1 || percent > 100) {
                    throw new ParameterException(spec.commandLine(), "--cores must be 1% to 100%, was " + text);
                }
                cores = Math.max(1, processors * percent / 100);
                return;
            }
            int count = Integer.parseInt(text);
            if (count < 1) {
                throw new ParameterException(spec.commandLine(), "--cores must be at least 1, was " + count);
            }
            if (count > processors) {
                throw new ParameterException(spec.commandLine(), "--cores " + count + " is more than this machine's "
                        + processors + (processors == 1 ? " processor" : " processors") + ": give at most "
                        + processors + ", or a share such as 50% (a config file shared by several machines)");
            }
            cores = count;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--cores takes a count such as 2 or a share of the"
                    + " processors such as 50%, was '" + value + "'");
        }
    }

    @Option(names = "--cpu-limit", order = 30, paramLabel = "PERCENT",
            description = "The share of its cores' time the worker's tasks may use, 1 to 100: at 50 each task computes"
                    + " half of the time (default: 100).")
    void setCpuLimit(String value) {
        cpuLimit = percent("--cpu-limit", value);
    }

    @Option(names = "--busy-cpu", order = 32, paramLabel = "PERCENT",
            description = "With --idle-only: the share of the machine's CPU that other processes may use before the"
                    + " worker suspends its tasks, 1 to 100 (default: " + Preferences.DEFAULT_BUSY_CPU_PERCENT + ").")
    void setBusyCpu(String value) {
        busyCpu = percent("--busy-cpu", value);
    }

    @Option(names = "--idle-after", order = 33, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --idle-only: how long nobody may have used the keyboard or mouse before tasks compute,"
                    + " where the worker can tell (default: 3m).")
    void setIdleAfter(Duration value) {
        idleAfter = notNegative("--idle-after", value);
    }

    @Option(names = "--compute-hours", order = 34, paramLabel = "HH:MM-HH:MM[,...]", converter = HoursConverter.class,
            description = "When tasks may compute, in local time, for example 19:00-07:00 or 12:00-13:00,18:00-23:00;"
                    + " outside, running tasks are suspended (default: always).")
    void setComputeHours(TimeWindows value) {
        computeHours = value;
    }

    @Option(names = "--network-hours", order = 35, paramLabel = "HH:MM-HH:MM[,...]", converter = HoursConverter.class,
            description = "When the worker may transfer data (ask for work, fetch and serve blobs, report results);"
                    + " heartbeats of held tasks go on outside (default: always).")
    void setNetworkHours(TimeWindows value) {
        networkHours = value;
    }

    @Option(names = "--memory-limit", order = 36, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most memory the worker's tasks may fill: no task starts while more is in use, for"
                    + " example 2G, at least 64M (default: no limit beyond the JVM's own).")
    void setMemoryLimit(long value) {
        if (value < 64 * MIB) {
            throw new ParameterException(spec.commandLine(), "--memory-limit must be at least 64M, was " + value + " bytes");
        }
        memoryLimit = value;
    }

    @Option(names = "--disk-limit", order = 37, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most disk space the work dir takes: the blob cache (at most 90%% of it, and at most"
                    + " --cache-size), checkpoints and unreported results, for example 10G, at least 64M"
                    + " (default: --cache-size for the cache, no limit for the rest).")
    void setDiskLimit(long value) {
        if (value < 64 * MIB) {
            throw new ParameterException(spec.commandLine(), "--disk-limit must be at least 64M, was " + value + " bytes");
        }
        diskLimit = value;
    }

    @Option(names = "--work-buffer", order = 38, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How much work, in time, the worker keeps in hand beyond what runs, judged by how long each"
                    + " app takes on this machine, so that network hours and outages leave no core idle; never more"
                    + " than it can finish before the deadlines; 0 for none (default: 10m).")
    void setWorkBuffer(Duration value) {
        workBuffer = notNegative("--work-buffer", value);
    }

    @Option(names = "--checkpoint-interval", order = 39, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often running tasks are asked to save a checkpoint, at least 1s (default: 60s).")
    void setCheckpointInterval(Duration value) {
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-interval must be at least 1s, was " + value);
        }
        checkpointInterval = value;
    }

    private int percent(String option, String value) {
        String text = value.strip();
        if (text.endsWith("%")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        try {
            int percent = Integer.parseInt(text);
            if (percent >= 1 && percent <= 100) {
                return percent;
            }
        } catch (NumberFormatException e) {
            // the message below says how to write it
        }
        throw new ParameterException(spec.commandLine(), option + " takes a percentage from 1 to 100, was '" + value + "'");
    }

    private Duration notNegative(String option, Duration value) {
        if (value.isNegative()) {
            throw new ParameterException(spec.commandLine(), option + " must not be negative, was " + value);
        }
        return value;
    }

    @Option(names = "--grace-period", order = 8, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "When the worker is stopped, how long running tasks have to save a checkpoint (they are then"
                    + " kept to resume at the next start) or finish, for example 30s or 2m (default: 30s).")
    void setGracePeriod(Duration value) {
        if (value.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--grace-period must not be negative, was " + value);
        }
        gracePeriod = value;
    }

    @Option(names = "--cache-size", order = 10, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most disk space the blob cache under the work dir uses, for example 512M or 20G, at least 1M "
                    + "(default: 4G).")
    void setCacheSize(long value) {
        if (value < MIB) {
            throw new ParameterException(spec.commandLine(), "--cache-size must be at least 1M (one chunk), was " + value
                    + " bytes");
        }
        cacheBytes = value;
    }

    @Option(names = "--peer-port", order = 11, paramLabel = "PORT",
            description = "Where other workers fetch blobs from this one, 0 for any free port (default: 0).")
    void setPeerPort(int value) {
        if (value < 0 || value > 65535) {
            throw new ParameterException(spec.commandLine(), "--peer-port must be 0 to 65535, was " + value);
        }
        peerPort = value;
    }

    @Option(names = "--upload-rate", order = 12, paramLabel = "RATE", converter = ByteSizeConverter.class,
            description = "The most bytes per second served to other workers, for example 500K or 10M, at least 1K "
                    + "(default: no cap).")
    void setUploadRate(long value) {
        if (value < 1024) {
            throw new ParameterException(spec.commandLine(), "--upload-rate must be at least 1K (bytes per second), was "
                    + value);
        }
        uploadRate = value;
    }

    @Option(names = "--download-rate", order = 16, paramLabel = "RATE", converter = ByteSizeConverter.class,
            description = "The most bytes per second fetched for tasks, from other workers and the coordinator together,"
                    + " for example 1M, at least 64K (default: no cap).")
    void setDownloadRate(long value) {
        if (value < 64 * 1024) {
            throw new ParameterException(spec.commandLine(), "--download-rate must be at least 64K (bytes per second), was "
                    + value);
        }
        downloadRate = value;
    }

    @Option(names = "--advertise-host", order = 13, paramLabel = "HOST",
            description = "The host name or address other workers dial to reach this one (default: the address this "
                    + "machine reaches the coordinator from).")
    void setAdvertiseHost(String value) {
        String host = value.strip();
        boolean ipv6 = host.startsWith("[") ? host.endsWith("]") : host.chars().filter(c -> c == ':').count() > 1;
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace) || host.length() > 253
                || (host.contains(":") && !ipv6)) {
            throw new ParameterException(spec.commandLine(), "--advertise-host takes a host name or address without a port "
                    + "(the port is --peer-port's), was '" + value + "'");
        }
        advertiseHost = host;
    }

    /** The data plane's options, checked against each other. */
    private DataPlaneConfig dataPlane() {
        DataPlaneConfig.Serving serving = DataPlaneConfig.Serving.PEERS;
        if (noServe && behindNat) {
            throw new ParameterException(spec.commandLine(), "--no-serve and --behind-nat exclude each other: choose one");
        }
        if (noServe || behindNat) {
            String flag = noServe ? "--no-serve" : "--behind-nat";
            serving = noServe ? DataPlaneConfig.Serving.NO_SERVE : DataPlaneConfig.Serving.BEHIND_NAT;
            refuseWithout(peerPort, "--peer-port", flag);
            refuseWithout(uploadRate, "--upload-rate", flag);
            refuseWithout(advertiseHost, "--advertise-host", flag);
        }
        long cache = cacheBytes != null ? cacheBytes : DataPlaneConfig.DEFAULT_CACHE_BYTES;
        if (diskLimit > 0) {
            cache = Math.min(cache, diskLimit / 10 * 9);
        }
        return new DataPlaneConfig(cache, peerPort != null ? peerPort : 0, uploadRate != null ? uploadRate : 0,
                downloadRate != null ? downloadRate : 0, serving, Optional.ofNullable(advertiseHost));
    }

    /** How the worker shares the machine; the journal gets what the disk limit leaves beside the cache. */
    private Preferences preferences(DataPlaneConfig dataPlane) {
        return new Preferences(cpuLimit, idleOnly, busyCpu, idleAfter, computeHours, networkHours, memoryLimit,
                workBuffer, checkpointInterval, diskLimit > 0 ? diskLimit - dataPlane.cacheBytes() : 0);
    }

    /** A serving option given to a worker that serves no peers is a mistake worth pointing out. */
    private void refuseWithout(Object value, String option, String flag) {
        if (value != null) {
            throw new ParameterException(spec.commandLine(), option + " has no effect with " + flag
                    + ": this worker serves no peers");
        }
    }

    @Override
    public Integer call() {
        WorkerConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        Worker worker;
        try {
            worker = new Worker(config, tuning, apps.get(), clock);
        } catch (IllegalStateException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        try {
            worker.claimWorkDir(); // private to its owner, and to this worker alone, before the logs go in
        } catch (UncheckedIOException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        if (!ownsLogging) {
            return run(worker, err);
        }
        LiveDisplay display = LiveDisplay.isInteractive() ? LiveDisplay.start(System.err, worker::status) : null;
        Logs.configure(Logs.level(logLevel != null ? logLevel : LogLevel.INFO), config.workDir().resolve("logs"),
                display != null ? display::print : text -> {
                    System.err.print(text);
                    System.err.flush();
                });
        try {
            return run(worker, err);
        } finally {
            if (display != null) {
                display.close();
            }
        }
    }

    /** What the command line and the config file chose, checked against each other. */
    WorkerConfig config() {
        if (coordinator == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--coordinator=HOST:PORT'"
                    + " (give it, or set 'coordinator = HOST:PORT' in the config file "
                    + configFile.file().orElse(configFile.defaultFile()) + ")");
        }
        DataPlaneConfig dataPlane = dataPlane();
        return new WorkerConfig(coordinator, name != null ? name : hostName(),
                cores != null ? cores : Runtime.getRuntime().availableProcessors(), workDir(), gracePeriod,
                Optional.ofNullable(fault), dataPlane, preferences(dataPlane), Optional.ofNullable(accountKey),
                new CoordinatorTls(tls || coordinatorCa != null, Optional.ofNullable(coordinatorCa)));
    }

    /** The work dir chosen, or {@code ~/.starling/worker}. */
    Path workDir() {
        return workDir != null ? workDir : Path.of(ConfigFile.home(), ".starling", "worker");
    }

    private static int run(Worker worker, PrintWriter err) {
        Thread hook = new Thread(() -> stopOnExit(worker), "starling-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            worker.run();
            return ExitCodes.OK;
        } catch (ProtocolTooOldException e) {
            err.println("starling worker: the coordinator no longer accepts this worker's protocol (" + e.getMessage()
                    + "). Please update the Starling worker.");
            return ExitCodes.PROTOCOL_TOO_OLD;
        } catch (RefusedException e) {
            err.println("starling worker: the coordinator refuses this worker: " + e.getMessage());
            return ExitCodes.REFUSED;
        } catch (UncheckedIOException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.ERROR;
        } finally {
            removeHook(hook);
        }
    }

    private static void stopOnExit(Worker worker) {
        try {
            worker.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it is what stopped the worker
        }
    }

    private static String hostName() {
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

    static final class AddressConverter implements CommandLine.ITypeConverter<CoordinatorAddress> {
        @Override
        public CoordinatorAddress convert(String value) {
            try {
                return CoordinatorAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class HoursConverter implements CommandLine.ITypeConverter<TimeWindows> {
        @Override
        public TimeWindows convert(String value) {
            try {
                return TimeWindows.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class FaultConverter implements CommandLine.ITypeConverter<Fault> {
        @Override
        public Fault convert(String value) {
            try {
                return Fault.fromOption(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = WorkerMain.class.getPackage().getImplementationVersion();
            return new String[] {"Starling worker " + (version != null ? version : "dev")};
        }
    }
}
