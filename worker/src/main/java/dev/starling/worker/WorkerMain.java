package dev.starling.worker;

import dev.starling.sdk.Apps;
import dev.starling.worker.internal.CoordinatorAddress;
import dev.starling.worker.internal.CoordinatorTls;
import dev.starling.worker.internal.DataPlaneConfig;
import dev.starling.worker.internal.Fault;
import dev.starling.worker.internal.ProtocolTooOldException;
import dev.starling.worker.internal.RefusedException;
import dev.starling.worker.internal.Tuning;
import dev.starling.worker.internal.Worker;
import dev.starling.worker.internal.WorkerConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code starling worker}: the worker daemon. Runs until it is stopped (SIGTERM, Ctrl-C). */
@Command(
        name = "starling worker",
        mixinStandardHelpOptions = true,
        versionProvider = WorkerMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = ExitCodes.INVALID_INPUT,
        exitCodeOnExecutionException = ExitCodes.ERROR,
        description = {
            "Runs a Starling worker: pulls tasks from the coordinator, computes them on this machine and reports"
                    + " the results. Runs until stopped; on SIGTERM it lets running tasks finish within the grace"
                    + " period and gives the rest back.",
        },
        footer = {
            "",
            "Examples:",
            "  starling worker --coordinator localhost:9090 --account-key sv_12_...",
            "  STARLING_ACCOUNT_KEY=sv_12_... starling worker --coordinator coord.example.org:9090 --cores 2 --name lab-pc-3",
            "  starling worker --coordinator coord.example.org:9090 --tls --upload-rate 2M",
            "  starling worker --coordinator coord.example.org:9090 --coordinator-ca project-ca.pem",
            "  starling worker --coordinator coord.example.org:9090 --no-serve",
            "",
            "Exit codes: 0 done, 1 error, 2 invalid command line, 3 worker too old for the coordinator,",
            "4 refused by the coordinator (wrong or missing account key, banned host);",
            "stopped by a signal: 128 + its number (143 for SIGTERM, 130 for Ctrl-C), after a clean stop.",
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

    @Option(names = "--coordinator", order = 1, required = true, paramLabel = "HOST:PORT", converter = AddressConverter.class,
            description = "Where the coordinator's gRPC endpoint listens.")
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

    @Option(names = "--work-dir", order = 7, paramLabel = "DIR", description = "Where the worker keeps its identity and state (default: ~/.starling/worker).")
    private Path workDir;

    private Duration gracePeriod = Duration.ofSeconds(30);

    @Option(names = "--log-level", order = 9, paramLabel = "LEVEL", description = "error, warn, info, debug or trace (default: info).")
    private LogLevel logLevel;

    private Long cacheBytes;
    private Integer peerPort;
    private Long uploadRate;
    private String advertiseHost;

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

    /** The command with what a volunteer's worker uses: the apps on the class path, default tuning, the system clock. */
    public WorkerMain() {
        this(Apps::load, Tuning.defaults(), Clock.systemUTC());
    }

    WorkerMain(Supplier<Apps> apps, Tuning tuning, Clock clock) {
        this.apps = apps;
        this.tuning = tuning;
        this.clock = clock;
    }

    public static void main(String[] args) {
        int exitCode = commandLine(new WorkerMain(), new PrintWriter(System.out, true), new PrintWriter(System.err, true))
                .execute(args);
        System.exit(exitCode);
    }

    /** The command line of {@code command}, writing its output to {@code out} and its diagnostics to {@code err}. */
    public static CommandLine commandLine(WorkerMain command, PrintWriter out, PrintWriter err) {
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(WorkerMain::invalidInput)
                .setOut(out)
                .setErr(err);
    }

    /** A wrong command line: what is wrong and where help is, without the whole usage text. */
    private static int invalidInput(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("starling worker: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try 'starling worker --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Option(names = "--cores", order = 6, paramLabel = "N", description = "How many tasks run at once, at least 1 (default: all processors).")
    void setCores(int value) {
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), "--cores must be at least 1, was " + value);
        }
        cores = value;
    }

    @Option(names = "--grace-period", order = 8, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long running tasks may finish when the worker is stopped, for example 30s or 2m (default: 30s).")
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
        return new DataPlaneConfig(cacheBytes != null ? cacheBytes : DataPlaneConfig.DEFAULT_CACHE_BYTES,
                peerPort != null ? peerPort : 0, uploadRate != null ? uploadRate : 0, serving,
                Optional.ofNullable(advertiseHost));
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
        if (logLevel != null) {
            // slf4j-simple reads this when a logger is first made, so before any worker class logs
            System.setProperty("org.slf4j.simpleLogger.log.dev.starling", logLevel.name().toLowerCase(Locale.ROOT));
        }
        PrintWriter err = spec.commandLine().getErr();
        DataPlaneConfig dataPlane = dataPlane();
        Worker worker;
        try {
            WorkerConfig config = new WorkerConfig(coordinator, name != null ? name : hostName(),
                    cores != null ? cores : Runtime.getRuntime().availableProcessors(),
                    workDir != null ? workDir : Path.of(System.getProperty("user.home"), ".starling", "worker"),
                    gracePeriod, Optional.ofNullable(fault), dataPlane, Optional.ofNullable(accountKey),
                    new CoordinatorTls(tls || coordinatorCa != null, Optional.ofNullable(coordinatorCa)));
            worker = new Worker(config, tuning, apps.get(), clock);
        } catch (IllegalStateException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        return run(worker, err);
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
