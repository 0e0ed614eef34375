package dev.starling.swarm.bench;

import dev.starling.swarm.Swarm;
import dev.starling.swarm.internal.Converters;
import dev.starling.swarm.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code starling bench}: the throughput benchmark, see {@link Bench}. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Starts a coordinator of its own (child process, fresh embedded PostgreSQL, durable commits), measures the"
                    + " disk with pgbench, then runs a swarm with a checksum job of its own at quorum 2 and prints:",
            "  RESULT validated_wu_per_s=... results_per_s=... request_work_p50_ms=... request_work_p99_ms=..."
                    + " hosts=... duration_s=... pgbench_tps=...",
            "when the window closes, HEAP lines as the job passes --heap-at, and CHECK lines after the job finished.",
            "Needs pgbench and psql (Debian's postgresql-client) and the coordinator's jar"
                    + " (STARLING_COORDINATOR_JAR, else coordinator/target/starling-coordinator.jar).",
        },
        footer = {
            "",
            "Examples:",
            "  starling bench",
            "  starling bench --hosts 200 --duration 20s --work-units 30000 --pgbench-seconds 10",
            "  starling bench --deployed --pgbench-seconds 0",
            "",
            "Exit codes: 0 every check passed, 1 a check failed or the bench could not run,"
                    + " 2 invalid command line or pgbench missing.",
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--hosts", paramLabel = "N", description = "Simulated hosts (default: 1000).")
    private int hosts = 1000;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "The measuring window (default: 60s).")
    private Duration duration = Duration.ofSeconds(60);

    @Option(names = "--warmup", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Time between starting the hosts and opening the window (default: 10s).")
    private Duration warmup = Duration.ofSeconds(10);

    @Option(names = "--task-ms", paramLabel = "MS", description = "How long each task computes, a sleep (default: 0).")
    private long taskMs;

    @Option(names = "--work-units", paramLabel = "N",
            description = "Work units of the bench's checksum job; enough to outlast warmup and window (default: 250000).")
    private long workUnits = 250_000;

    @Option(names = "--coordinator-heap", paramLabel = "SIZE", description = "The coordinator's -Xmx (default: 512m).")
    private String heap = "512m";

    @Option(names = "--pgbench-seconds", paramLabel = "S", description = "How long pgbench runs; 0 skips it (default: 30).")
    private int pgbenchSeconds = 30;

    @Option(names = "--heap-at", paramLabel = "N[,N...]",
            description = "Validated counts at which to measure the coordinator's heap after a full GC;"
                    + " empty for none (default: 100000,500000,1000000).")
    private String heapAt = "100000,500000,1000000";

    @Option(names = "--deployed", description = "The job is a deployed (WebAssembly) app's: a trivial module the bench"
            + " deploys, swept over --work-units; the hosts answer as it would. Compare with the checksum app's figure.")
    private boolean deployed;

    @Option(names = "--collude", paramLabel = "STRATEGY", description = "How the swarm's colluding hosts collude:"
            + " none, pairs, tandem or accounts (see starling swarm --help); needs --deployed (default: none).")
    private String collude = "none";

    @Option(names = "--collude-fraction", paramLabel = "F", description = "Fraction of hosts that collude (default: 0).")
    private double colludeFraction;

    @Option(names = "--cores", paramLabel = "N", description = "Tasks each simulated host asks for at once (default: 4).")
    private int cores = 4;

    @Option(names = "--coordinator-setting", paramLabel = "NAME=VALUE",
            description = "A setting for the bench's coordinator, e.g. starling.dispatch.spread=false; repeatable.")
    private List<String> coordinatorSettings = new ArrayList<>();

    @Option(names = "--keep", description = "Keep the data dir (database, coordinator.log, pgbench.log) afterwards.")
    private boolean keep;

    @Override
    public Integer call() {
        return new Bench(settings(), spec.commandLine().getOut(), spec.commandLine().getErr()).run();
    }

    /** The settings as given, checked; a wrong value is a {@link ParameterException} (exit code 2). */
    Bench.Settings settings() {
        require(hosts >= 1, "--hosts must be at least 1, was " + hosts);
        require(duration.isPositive(), "--duration must be longer than 0, was " + Durations.format(duration));
        require(!warmup.isNegative(), "--warmup must not be negative, was " + Durations.format(warmup));
        require(taskMs >= 0, "--task-ms must not be negative, was " + taskMs);
        require(workUnits >= 1, "--work-units must be at least 1, was " + workUnits);
        require(heap.matches("\\d+[kKmMgG]?"), "--coordinator-heap must be a size such as 512m or 2g, was '" + heap + "'");
        require(pgbenchSeconds >= 0, "--pgbench-seconds must not be negative, was " + pgbenchSeconds);
        Swarm.Strategy strategy;
        try {
            strategy = Swarm.Strategy.valueOf(collude.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--collude must be none, pairs, tandem or accounts, was '"
                    + collude + "'");
        }
        require(cores >= 1, "--cores must be at least 1, was " + cores);
        require(colludeFraction >= 0 && colludeFraction <= 1, "--collude-fraction must be between 0 and 1, was "
                + colludeFraction);
        require(strategy == Swarm.Strategy.NONE || deployed, "--collude needs --deployed");
        List<String> extra = new ArrayList<>();
        for (String setting : coordinatorSettings) {
            require(setting.matches("[a-z][a-z0-9.\\-\\[\\]]*=.*"), "--coordinator-setting takes NAME=VALUE, e.g."
                    + " starling.dispatch.spread=false, was '" + setting + "'");
            extra.add("--" + setting);
        }
        return new Bench.Settings(hosts, duration, warmup, Duration.ofMillis(taskMs), workUnits, heap, pgbenchSeconds,
                parseCounts(heapAt), keep, deployed, strategy, colludeFraction, cores, List.copyOf(extra));
    }

    private List<Long> parseCounts(String text) {
        List<Long> counts = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                long n = Long.parseLong(part.strip());
                require(n >= 1, "--heap-at takes positive counts, got " + n);
                counts.add(n);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(),
                        "--heap-at takes counts such as 100000,500000, got '" + part.strip() + "'");
            }
        }
        return List.copyOf(counts);
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
