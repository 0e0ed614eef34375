package dev.starling.swarm;

import dev.starling.swarm.internal.Converters;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code starling swarm}: runs {@link Swarm} from the command line. */
@Command(
        name = "swarm",
        mixinStandardHelpOptions = true,
        versionProvider = SwarmMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Simulates volunteer hosts that speak the real worker protocol (gRPC) and compute the checksum app, and"
                    + " measures the coordinator: validated work units/s, results/s, RequestWork and ReportResults"
                    + " latencies, errors. With --submit it runs a checksum job of its own and checks the outcome.",
            "",
            "Prints progress to stderr every 5 s, the SWARM line to stdout when the window closes, and (after the"
                    + " drain) the STARTUP line (seconds until every host had registered and until every host had"
                    + " received a task, and the busy answers retried after their hint) and one CHECK line per check.",
        },
        footer = {
            "",
            "Examples:",
            "  starling swarm --coordinator localhost:9090 --api http://localhost:8080 --api-key sr_1_... --submit 100000",
            "  STARLING_API_KEY=sr_1_... starling swarm --coordinator c1:9090,c2:9090 --api http://c1:8080 --hosts 5000 --connections 200",
            "",
            "With --api, every simulated host signs up as a volunteer of its own (open sign-up), so quorums of distinct",
            "volunteers work as for real hosts.",
            "",
            "Exit codes: 0 every check passed, 1 a check failed or there were errors, 2 invalid command line.",
        })
final class SwarmCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--coordinator", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = Converters.EndpointsConverter.class,
            description = "The coordinators' gRPC endpoints; host i talks to the (i mod n)-th.")
    private List<Endpoint> coordinators;

    @Option(names = "--hosts", paramLabel = "N", description = "Simulated hosts, one virtual thread each (default: 1000).")
    private int hosts = 1000;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "The measuring window, e.g. 60s or 5m (default: 60s).")
    private Duration duration = Duration.ofSeconds(60);

    @Option(names = "--warmup", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Time between starting the hosts and opening the window (default: 10s).")
    private Duration warmup = Duration.ofSeconds(10);

    @Option(names = "--task-ms", paramLabel = "MS",
            description = "How long each task computes (a sleep), --cores at a time (default: 0).")
    private long taskMs;

    @Option(names = "--wrong-fraction", paramLabel = "F",
            description = "Fraction of hosts that report wrong outputs, 0 to 1; they never agree with anyone (default: 0).")
    private double wrongFraction;

    @Option(names = "--turncoat-fraction", paramLabel = "F",
            description = "Fraction of hosts that are turncoats, 0 to 1: honest until --turncoat-after results, then wrong,"
                    + " all with the same wrong output (default: 0).")
    private double turncoatFraction;

    @Option(names = "--turncoat-after", paramLabel = "N",
            description = "Results a turncoat computes honestly before it turns (default: 20).")
    private int turncoatAfter = 20;

    @Option(names = "--cores", paramLabel = "N", description = "Tasks each host asks for and runs at once (default: 4).")
    private int cores = 4;

    @Option(names = "--connections", paramLabel = "N",
            description = "gRPC connections shared by all hosts, round robin (default: one per host, as real volunteers).")
    private int connections;

    @Option(names = "--api", paramLabel = "http://HOST:PORT[,...]",
            description = "The coordinators' REST API, for --submit and the validated figure.")
    private String api;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:STARLING_API_KEY}",
            description = "A researcher's API key, for --submit and the validated figure (default: the environment "
                    + "variable STARLING_API_KEY).")
    private String apiKey;

    @Option(names = "--submit", paramLabel = "WORK_UNITS",
            description = "Submit a checksum job of this many work units first; then drain and check it (default: none).")
    private long submit;

    @Option(names = "--rounds", paramLabel = "R", description = "The job's SHA-256 rounds per work unit (default: 1).")
    private long rounds = 1;

    @Option(names = "--quorum", paramLabel = "Q", description = "The job's quorum (default: 2).")
    private int quorum = 2;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long after the window to wait for the job to finish (default: 10m).")
    private Duration drainTimeout = Duration.ofMinutes(10);

    @Option(names = "--seed", paramLabel = "N", description = "Chooses which hosts are wrong (default: 1).")
    private long seed = 1;

    @Option(names = "--collude", paramLabel = "STRATEGY",
            description = "How colluding hosts collude: none, pairs (same wrong answer where they hold a quorum),"
                    + " tandem (pairs asking for batches back to back), accounts (fresh accounts joining after the"
                    + " warmup, up to 50); needs --deployed (default: none).")
    private String collude = "none";

    @Option(names = "--collude-fraction", paramLabel = "F",
            description = "Fraction of hosts that collude, chosen by --seed among the not wrong (default: 0).")
    private double colludeFraction;

    @Option(names = "--deployed", description = "The job is a deployed (WebAssembly) app's: a trivial module the swarm"
            + " deploys, swept over --submit work units; the hosts answer as it would.")
    private boolean deployed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Swarm.Options options = options(out, err);
        SwarmReport report;
        try {
            report = Swarm.run(options);
        } catch (SwarmException e) {
            err.println("starling swarm: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        out.println(report.startup().line());
        if (report.outcome() != null) {
            out.println(report.outcome().line());
        }
        report.checks().forEach(c -> out.println(c.line()));
        out.flush();
        return report.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private Swarm.Strategy strategy() {
        try {
            return Swarm.Strategy.valueOf(collude.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--collude must be none, pairs, tandem or accounts, was '"
                    + collude + "'");
        }
    }

    /** The options as given, checked; a wrong value is a {@link ParameterException} (exit code 2). */
    Swarm.Options options(PrintWriter out, PrintWriter err) {
        try {
            Swarm.Builder b = Swarm.Options.builder()
                    .coordinators(coordinators)
                    .hosts(hosts)
                    .duration(duration)
                    .warmup(warmup)
                    .taskTime(Duration.ofMillis(taskMs))
                    .wrongFraction(wrongFraction)
                    .turncoatFraction(turncoatFraction)
                    .turncoatAfter(turncoatAfter)
                    .cores(cores)
                    .connections(connections)
                    .submit(submit)
                    .rounds(rounds)
                    .quorum(quorum)
                    .drainTimeout(drainTimeout)
                    .seed(seed)
                    .deployed(deployed)
                    .strategy(strategy())
                    .colludeFraction(colludeFraction)
                    .progress(line -> {
                        err.println(line);
                        err.flush();
                    })
                    .listener(new Swarm.Listener() {
                        @Override
                        public void windowClosed(SwarmReport.Figures figures) {
                            out.println(figures.swarmLine());
                            out.flush();
                        }
                    });
            if (api != null) {
                b.api(api);
            }
            b.apiKey(apiKey);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
