package dev.starling.swarm.bench;

import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code starling bench-p2p}: the blob distribution benchmark, see {@link DistributionBench}. */
@Command(
        name = "bench-p2p",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Starts a coordinator of its own (upload capped) and N worker processes (uploads capped) that all need one"
                    + " blob at once, and prints how long the blob took to reach all of them against the Kumar-Ross"
                    + " lower bound max(F/u_s, N*F/(u_s + N*u)):",
            "  RESULT workers=... size_mib=... distribution_s=... bound_s=... ratio=... from_coordinator_x=..."
                    + " from_peers_x=...",
            "Needs the coordinator's and the worker's jars (STARLING_COORDINATOR_JAR, STARLING_WORKER_JAR, else"
                    + " coordinator/target and worker/target).",
        },
        footer = {
            "",
            "Examples:",
            "  starling bench-p2p",
            "  starling bench-p2p --workers 6 --size 64MB --worker-upload 4MB --coordinator-upload 16MB",
            "",
            "Exit codes: 0 it ran, 1 it could not run, 2 invalid command line.",
        })
public final class DistributionBenchCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMG]?)B?", Pattern.CASE_INSENSITIVE);

    @Spec
    private CommandSpec spec;

    @Option(names = "--workers", paramLabel = "N", description = "Worker processes that all need the blob (default: 6).")
    private int workers = 6;

    @Option(names = "--size", paramLabel = "SIZE", description = "The blob's size, e.g. 64MB (default: 64MB).")
    private String size = "64MB";

    @Option(names = "--worker-upload", paramLabel = "RATE", description = "Each worker's upload cap per second, e.g. 4MB (default: 4MB).")
    private String workerUpload = "4MB";

    @Option(names = "--coordinator-upload", paramLabel = "RATE",
            description = "The coordinator's upload cap per second, e.g. 16MB (default: 8MB).")
    private String coordinatorUpload = "8MB";

    @Option(names = "--keep", description = "Keep the data dir (database and every process's log) afterwards.")
    private boolean keep;

    @Override
    public Integer call() {
        return new DistributionBench(settings(), spec.commandLine().getOut(), spec.commandLine().getErr()).run();
    }

    DistributionBench.Settings settings() {
        if (workers < 1 || workers > 64) {
            throw new ParameterException(spec.commandLine(), "--workers must be 1 to 64, was " + workers);
        }
        long blob = bytes("--size", size);
        if (blob > Integer.MAX_VALUE - 8) {
            throw new ParameterException(spec.commandLine(), "--size must be below 2GB, was " + size);
        }
        return new DistributionBench.Settings(workers, blob, bytes("--worker-upload", workerUpload),
                bytes("--coordinator-upload", coordinatorUpload), keep);
    }

    /** 64MB, 512K, 1G, 1000 (powers of 1024), at least 1. */
    private long bytes(String option, String text) {
        Matcher m = SIZE.matcher(text.strip());
        long value;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            int shift = switch (m.group(2).toUpperCase()) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                default -> 0;
            };
            value = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ParameterException(spec.commandLine(), option + " takes a size such as 64MB, 512K or 1000, got '" + text + "'");
        }
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), option + " must be at least 1 byte, was '" + text + "'");
        }
        return value;
    }
}
