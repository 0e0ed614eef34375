package dev.starling.worker;

import dev.starling.sdk.Apps;
import dev.starling.wasm.signing.TrustedKeys;
import dev.starling.worker.config.Celsius;
import dev.starling.worker.config.CoordinatorTls;
import dev.starling.worker.config.Cores;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.config.Defaults;
import dev.starling.worker.config.HostPort;
import dev.starling.worker.config.Percent;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.config.Setting;
import dev.starling.worker.config.Source;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.control.SuspendPolicy;
import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.session.WorkerDescription;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
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
            "  starling worker --coordinator coord.example.org:9090 \\",
            "      --cpu-limit 30 --cpu-limit-idle 100 --max-cpu-temp 80",
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

    @Spec
    private CommandSpec spec;

    // The options, in --help order. Each is a setting of the config file too (ConfigFile), read by picocli; their
    // defaults are in Defaults, and config() turns them into the checked WorkerConfig.

    @Option(names = "--config", order = 0, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The config file to read settings from (default: worker.properties in your config folder,"
                    + " on Linux ~/.config/starling/worker.properties).")
    void setConfig(Path file) {
        configFile.choose(file);
    }

    @Option(names = "--coordinator", order = 1, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where the coordinator's gRPC endpoint listens (required, here or in the config file).")
    private HostPort coordinator;

    @Option(names = "--account-key", order = 2, paramLabel = "KEY", defaultValue = "${env:STARLING_ACCOUNT_KEY}",
            description = "Your volunteer account key (from sign-up): this host becomes yours and earns you credit. "
                    + "Default: the environment variable STARLING_ACCOUNT_KEY. Without one, only a coordinator that "
                    + "takes anonymous hosts accepts the worker.")
    private String accountKey;

    @Option(names = "--tls", order = 3, description = "Talk TLS to the coordinator, checking its certificate against "
            + "the system's trust store (or --coordinator-ca).")
    private boolean tls;

    @Option(names = "--coordinator-ca", order = 4, paramLabel = "FILE", description = "Talk TLS to the coordinator and "
            + "trust the CA certificates in this PEM file (for a project's own or self-signed certificate).")
    private Path coordinatorCa;

    @Option(names = "--name", order = 5, paramLabel = "NAME", description = "This host's name at the coordinator, 1 to"
            + " 200 characters (default: the machine's host name).")
    private String name;

    @Option(names = "--cores", order = 6, paramLabel = "N|P%",
            description = "How many tasks compute at once: a count, from 1 to this machine's processors, or a share of"
                    + " them such as 50%% (default: all processors; a new install's: half of them).")
    private String cores;

    @Option(names = "--work-dir", order = 7, scope = ScopeType.INHERIT, paramLabel = "DIR", description = "Where the"
            + " worker keeps its identity and state (default: ~/.starling/worker).")
    private Path workDir;

    @Option(names = "--grace-period", order = 8, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "When the worker is stopped, how long running tasks have to save a checkpoint (they are then"
                    + " kept to resume at the next start) or finish, for example 30s or 2m (default: "
                    + Defaults.GRACE_PERIOD + ").")
    private Duration gracePeriod;

    @Option(names = "--start-spread", order = 17, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "At start, a host that has registered before waits a random time up to this long before it"
                    + " calls the coordinator, so that machines started together (booted at once, an upgrade rolled out)"
                    + " do not all call at once; the systemd service uses 60s (default: " + Defaults.START_SPREAD
                    + ", at once). A host's first start ever does not wait.")
    private Duration startSpread;

    @Option(names = "--log-level", order = 9, paramLabel = "LEVEL", description = "error, warn, info, debug or trace"
            + " (default: " + Defaults.LOG_LEVEL + "). Logs go to stderr and to <work-dir>/logs/worker.0.log, which"
            + " rotates at 10 MiB and keeps 5 files.")
    private LogLevel logLevel;

    @Option(names = "--cache-size", order = 10, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most disk space the blob cache under the work dir uses, for example 512M or 20G, at"
                    + " least 1M (default: " + Defaults.CACHE_SIZE + ").")
    private Long cacheSize;

    @Option(names = "--peer-port", order = 11, paramLabel = "PORT",
            description = "Where other workers fetch blobs from this one, 0 for any free port (default: "
                    + Defaults.PEER_PORT + ").")
    private Integer peerPort;

    @Option(names = "--upload-rate", order = 12, paramLabel = "RATE", converter = ByteSizeConverter.class,
            description = "The most bytes per second served to other workers, for example 500K or 10M, at least 1K "
                    + "(default: no cap).")
    private Long uploadRate;

    @Option(names = "--advertise-host", order = 13, paramLabel = "HOST",
            description = "The host name or address other workers dial to reach this one (default: the address this "
                    + "machine reaches the coordinator from).")
    private String advertiseHost;

    @Option(names = "--no-serve", order = 14, description = "Serve no blobs to other workers (the worker still fetches"
            + " what its tasks read).")
    private boolean noServe;

    @Option(names = "--behind-nat", order = 15, description = "This machine cannot accept connections from other"
            + " workers: serve none, advertise no address, fetch from the peers it can reach and from the coordinator.")
    private boolean behindNat;

    @Option(names = "--download-rate", order = 16, paramLabel = "RATE", converter = ByteSizeConverter.class,
            description = "The most bytes per second fetched for tasks, from other workers and the coordinator together,"
                    + " for example 1M, at least 64K (default: no cap).")
    private Long downloadRate;

    @Option(names = "--inject-fault", order = 20, hidden = true, paramLabel = "FAULT", converter = Converters.Faults.class,
            description = "Test only: wrong-output reports a wrong output for every task; corrupt-chunks serves peers"
                    + " corrupted chunks.")
    private Fault fault;

    @Option(names = "--cpu-limit", order = 30, paramLabel = "PERCENT",
            description = "The share of its cores' time the worker's tasks may use while the computer is in use, 1 to"
                    + " 100: at 50 each task computes half of the time (default: " + Defaults.CPU_LIMIT + "; a new"
                    + " install's: " + NewInstall.CPU_LIMIT + ").")
    private String cpuLimit;

    @Option(names = "--cpu-limit-idle", order = 31, paramLabel = "PERCENT",
            description = "The same while the computer is idle: nobody used the keyboard or mouse for --idle-after"
                    + " (where the worker can tell) and other programs use less CPU than --busy-cpu (default: "
                    + Defaults.CPU_LIMIT_IDLE + "; a new install's: " + NewInstall.CPU_LIMIT_IDLE + ").")
    private String cpuLimitIdle;

    @Option(names = "--idle-only", order = 32, description = "Compute only while this machine is otherwise idle: other"
            + " processes use less CPU than --busy-cpu, and (where it can be seen) nobody used the keyboard or mouse"
            + " for --idle-after.")
    private boolean idleOnly;

    @Option(names = "--busy-cpu", order = 33, paramLabel = "PERCENT",
            description = "The share of the machine's CPU that other processes may use (for --busy-grace) before the"
                    + " computer counts as in use, 1 to 100 (default: " + Defaults.BUSY_CPU + ").")
    private String busyCpu;

    @Option(names = "--busy-grace", order = 34, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long other programs must use more than --busy-cpu in a row before the computer counts"
                    + " as in use (tasks suspended with --idle-only, else at --cpu-limit), so that a short burst"
                    + " changes nothing (default: " + Defaults.BUSY_GRACE + ").")
    private Duration busyGrace;

    @Option(names = "--idle-after", order = 35, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long nobody may have used the keyboard or mouse before the computer counts as idle"
                    + " (tasks compute with --idle-only, at --cpu-limit-idle), where the worker can tell (default: "
                    + Defaults.IDLE_AFTER + ").")
    private Duration idleAfter;

    @Option(names = "--max-cpu-temp", order = 36, paramLabel = "CELSIUS",
            description = "Tasks pause while the CPU is hotter than this, in degrees Celsius (40 to 110), and go on"
                    + " once it has cooled " + SuspendPolicy.COOLING + " degrees below; off: never. Read on Linux from"
                    + " the CPU package sensors; 'starling worker status' says where it cannot be (default: "
                    + Defaults.MAX_CPU_TEMP + ").")
    private String maxCpuTemp;

    @Option(names = "--compute-hours", order = 37, paramLabel = "HH:MM-HH:MM[,...]", converter = Converters.Hours.class,
            description = "When tasks may compute, in local time, for example 19:00-07:00 or 12:00-13:00,18:00-23:00;"
                    + " outside, running tasks are suspended (default: always).")
    private TimeWindows computeHours;

    @Option(names = "--network-hours", order = 38, paramLabel = "HH:MM-HH:MM[,...]", converter = Converters.Hours.class,
            description = "When the worker may transfer data (ask for work, fetch and serve blobs, report results);"
                    + " heartbeats of held tasks go on outside (default: always).")
    private TimeWindows networkHours;

    @Option(names = "--memory-limit", order = 39, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most memory the worker's tasks may fill: no task starts while more is in use, for"
                    + " example 2G, at least 64M (default: no limit beyond the JVM's own).")
    private Long memoryLimit;

    @Option(names = "--disk-limit", order = 40, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The most disk space the work dir takes: the blob cache (at most 90%% of it, and at most"
                    + " --cache-size), checkpoints and unreported results, for example 10G, at least 64M"
                    + " (default: --cache-size for the cache, no limit for the rest).")
    private Long diskLimit;

    @Option(names = "--work-buffer", order = 41, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How much work, in time, the worker keeps in hand beyond what runs, judged by how long each"
                    + " app takes on this machine, so that network hours and outages leave no core idle; never more"
                    + " than it can finish before the deadlines; 0 for none (default: " + Defaults.WORK_BUFFER + ").")
    private Duration workBuffer;

    @Option(names = "--checkpoint-interval", order = 42, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often running tasks are asked to save a checkpoint, at least 1s (default: "
                    + Defaults.CHECKPOINT_INTERVAL + ").")
    private Duration checkpointInterval;

    @Option(names = "--wasm-memory", order = 43, paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "The memory deployed apps' (WebAssembly) tasks may hold together, for example 2G; each task"
                    + " takes what its app declares (memoryMiB) and waits while the sum would pass this; 0 for no"
                    + " WebAssembly. It is held in the Java heap beside the worker, so it must fit there (default: a"
                    + " quarter of this machine's memory, within what the heap holds).")
    private Long wasmMemory;

    @Option(names = "--app-key", order = 44, paramLabel = "KEY[,KEY...]",
            description = "The public key of the project whose deployed apps this worker runs (one line of Base64,"
                    + " as the project publishes it; several separated by commas): then it runs only apps signed with"
                    + " it, or with a key it announced, and fails any other task saying why. Without one, every"
                    + " deployed app runs. Take it from the project's own site, not from the coordinator: it guards"
                    + " against a coordinator that was broken into.")
    private String appKey;

    private final ConfigFile configFile;
    private final Supplier<Apps> apps;
    private final Tuning tuning;
    private final Clock clock;
    private Boolean newInstall; // null: not looked at yet
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

    /**
     * The command line of {@code command}, writing its output to {@code out} and its diagnostics to {@code err}.
     * Whatever it is asked to do ({@code status} and {@code --help} too), the settings are checked first, so that a
     * wrong one is never silently ignored.
     */
    public static CommandLine commandLine(WorkerMain command, PrintWriter out, PrintWriter err) {
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(command.configFile)
                .setParameterExceptionHandler((e, args) -> invalidInput(e, args, command.configFile))
                .setExecutionStrategy(parsed -> {
                    command.settings();
                    return new CommandLine.RunLast().execute(parsed);
                })
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

    @Override
    public Integer call() {
        WorkerConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        Worker worker;
        try {
            worker = new Worker(config, tuning, apps.get(), clock);
        } catch (IllegalStateException e) { // the apps on the class path do not agree
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        Runnable claimed = newInstall() ? () -> NewInstall.remember(config.workDir()) : () -> {};
        return Daemon.run(worker, config.workDir(), claimed, ownsLogging ? logLevel() : null, err);
    }

    /**
     * What the defaults, the config file and the command line chose, as the worker's checked configuration: the
     * settings, then what a running worker needs of them together.
     */
    WorkerConfig config() {
        WorkerConfig.Builder settings = settings();
        if (coordinator == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--coordinator=HOST:PORT'"
                    + " (give it, or set 'coordinator = HOST:PORT' in the config file "
                    + configFile.file().orElse(configFile.defaultFile()) + ")");
        }
        try {
            checkServing();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return settings.coordinator(coordinator).build();
    }

    /**
     * The one conversion: every setting but the coordinator, from what picocli read of the command line and the
     * config file (null: not given), over the defaults, checked as the records check them.
     *
     * @throws ParameterException saying which setting is wrong
     */
    private WorkerConfig.Builder settings() {
        try {
            if (coordinatorCa != null && !Files.isRegularFile(coordinatorCa)) {
                throw new IllegalArgumentException("--coordinator-ca: no such file " + coordinatorCa);
            }
            Map<String, String> gentle = newInstall() ? NewInstall.settings(cpuLimit != null) : Map.of();
            Preferences.Builder preferences = Preferences.builder().idleOnly(idleOnly);
            Optional.ofNullable(cpuLimit != null ? cpuLimit : gentle.get("cpu-limit"))
                    .ifPresent(v -> preferences.cpuLimitPercent(Percent.parse("--cpu-limit", v)));
            Optional.ofNullable(cpuLimitIdle != null ? cpuLimitIdle : gentle.get("cpu-limit-idle"))
                    .ifPresent(v -> preferences.cpuLimitIdlePercent(Percent.parse("--cpu-limit-idle", v)));
            Optional.ofNullable(busyCpu).ifPresent(v -> preferences.busyCpuPercent(Percent.parse("--busy-cpu", v)));
            Optional.ofNullable(busyGrace).ifPresent(preferences::busyGrace);
            Optional.ofNullable(idleAfter).ifPresent(preferences::idleAfter);
            Optional.ofNullable(maxCpuTemp).ifPresent(v -> preferences.maxCpuTempCelsius(Celsius.parse(v)));
            Optional.ofNullable(computeHours).ifPresent(preferences::computeHours);
            Optional.ofNullable(networkHours).ifPresent(preferences::networkHours);
            Optional.ofNullable(memoryLimit).ifPresent(preferences::memoryLimitBytes);
            Optional.ofNullable(workBuffer).ifPresent(preferences::workBuffer);
            Optional.ofNullable(checkpointInterval).ifPresent(preferences::checkpointInterval);
            DataPlaneConfig.Builder dataPlane = DataPlaneConfig.builder().serving(serving())
                    .advertiseHost(Optional.ofNullable(advertiseHost));
            Optional.ofNullable(cacheSize).ifPresent(dataPlane::cacheBytes);
            Optional.ofNullable(peerPort).ifPresent(dataPlane::peerPort);
            Optional.ofNullable(uploadRate).ifPresent(dataPlane::uploadBytesPerSecond);
            Optional.ofNullable(downloadRate).ifPresent(dataPlane::downloadBytesPerSecond);
            DataPlaneConfig data = dataPlane.build();
            if (diskLimit != null) { // the cache gets at most 90% of the disk limit, the journal what the cache leaves
                Preferences.atLeast64M("--disk-limit", diskLimit);
                data = dataPlane.cacheBytes(Math.min(data.cacheBytes(), diskLimit / 10 * 9)).build();
                preferences.journalBytes(diskLimit - data.cacheBytes());
            }
            WorkerConfig.Builder config = WorkerConfig.builder(workDir())
                    .name(name)
                    .fault(Optional.ofNullable(fault))
                    .dataPlane(data)
                    .preferences(preferences.build())
                    .accountKey(Optional.ofNullable(accountKey))
                    .tls(new CoordinatorTls(tls || coordinatorCa != null, Optional.ofNullable(coordinatorCa)))
                    .settings(chosen(gentle));
            Optional.ofNullable(cores != null ? cores : gentle.get("cores"))
                    .ifPresent(v -> config.cores(Cores.parse(v, Defaults.cores())));
            Optional.ofNullable(gracePeriod).ifPresent(config::gracePeriod);
            Optional.ofNullable(startSpread).ifPresent(config::startSpread);
            if (wasmMemory != null) {
                if (wasmMemory > 0 && wasmMemory < 1 << 20) {
                    throw new IllegalArgumentException("--wasm-memory must be 0 (no WebAssembly) or at least 1M, was "
                            + wasmMemory + " bytes");
                }
                config.wasmMemoryMiB((int) Math.min(Integer.MAX_VALUE, wasmMemory >> 20));
            }
            if (appKey != null && !appKey.isBlank()) {
                try {
                    config.appKeys(TrustedKeys.parse(List.of(appKey.split(","))));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--app-key: " + e.getMessage() + "; give the project's public"
                            + " key as one line of Base64 (several separated by commas)", e);
                }
            }
            return config.check();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Whether this worker serves peers ({@link #checkServing} refuses a contradiction). */
    private DataPlaneConfig.Serving serving() {
        return noServe ? DataPlaneConfig.Serving.NO_SERVE
                : behindNat ? DataPlaneConfig.Serving.BEHIND_NAT : DataPlaneConfig.Serving.PEERS;
    }

    /** The serving options agree: the options that only a serving worker has are refused without it. */
    private void checkServing() {
        if (noServe && behindNat) {
            throw new IllegalArgumentException("--no-serve and --behind-nat exclude each other: choose one");
        }
        if (!noServe && !behindNat) {
            return;
        }
        String flag = noServe ? "--no-serve" : "--behind-nat";
        for (String option : List.of("--peer-port", "--upload-rate", "--advertise-host")) {
            Object given = switch (option) {
                case "--peer-port" -> peerPort;
                case "--upload-rate" -> uploadRate;
                default -> advertiseHost;
            };
            if (given != null) {
                throw new IllegalArgumentException(option + " has no effect with " + flag + ": this worker serves no"
                        + " peers");
            }
        }
    }

    /**
     * Whether this worker is a new install's, which takes the gentle settings for those nobody set (read once: the
     * worker registering makes the work dir an old one).
     */
    private boolean newInstall() {
        if (newInstall == null) {
            newInstall = NewInstall.applies(workDir());
        }
        return newInstall;
    }

    /**
     * The settings the config file, the command line or the environment chose, with where each came from (the
     * command line wins over the file, the file over the environment), and those a new install takes ({@code gentle}),
     * in --help order.
     */
    private List<Setting> chosen(Map<String, String> gentle) {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<Setting> chosen = new ArrayList<>();
        List<OptionSpec> options = new ArrayList<>(spec.options());
        options.sort(Comparator.comparingInt(OptionSpec::order));
        for (OptionSpec option : options) {
            String key = ConfigFile.key(option);
            if (ConfigFile.NOT_SETTINGS.contains(key)) {
                continue;
            }
            String value;
            Source source;
            if (parsed != null && parsed.hasMatchedOption(option)) {
                List<String> written = option.originalStringValues();
                value = written.isEmpty() ? "true" : written.getLast();
                source = Source.COMMAND_LINE;
            } else if (configFile.settings().containsKey(key)) {
                value = configFile.settings().get(key);
                source = Source.CONFIG_FILE;
            } else if (key.equals("account-key") && accountKey != null && !accountKey.isBlank()) {
                value = accountKey;
                source = Source.ENVIRONMENT;
            } else if (gentle.containsKey(key)) {
                value = gentle.get(key);
                source = Source.NEW_INSTALL;
            } else {
                continue;
            }
            chosen.add(new Setting(key, key.equals("account-key") ? Setting.HIDDEN : value, source));
        }
        return chosen;
    }

    private LogLevel logLevel() {
        return logLevel != null ? logLevel : LogLevel.valueOf(Defaults.LOG_LEVEL.toUpperCase(Locale.ROOT));
    }

    /** The work dir chosen, or {@code ~/.starling/worker}. */
    Path workDir() {
        return workDir != null ? workDir : Defaults.workDir(ConfigFile.home());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Starling worker " + WorkerDescription.version()};
        }
    }
}
