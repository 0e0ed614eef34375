package dev.starling.swarm.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgbench against the coordinator's embedded PostgreSQL, to tell how fast this machine's disk commits: the
 * coordinator's throughput is bounded by durable commits, so its figures mean little without this one.
 * pgbench and psql come from Debian's {@code postgresql-client}.
 */
final class PgBench {
    static final String MISSING = "pgbench not found: install Debian's postgresql-client (apt-get install postgresql-client)";
    private static final Pattern TPS = Pattern.compile("tps = ([0-9]+(?:\\.[0-9]+)?)");

    private PgBench() {}

    /** The message to show when pgbench or psql is not on the PATH. */
    static Optional<String> missing() {
        for (String tool : List.of("pgbench", "psql")) {
            if (onPath(tool).isEmpty()) {
                return Optional.of(tool.equals("pgbench") ? MISSING
                        : "psql not found: install Debian's postgresql-client (apt-get install postgresql-client)");
            }
        }
        return Optional.empty();
    }

    /**
     * Creates database {@code pgbench} (scale 10), runs the simple-update script with 8 clients and 2 threads for
     * {@code seconds}, drops the database again (so the coordinator's database is the only busy one afterwards)
     * and returns the transactions per second. Every command's output goes to {@code log}.
     */
    static double run(int port, int seconds, Path log, Consumer<String> progress) throws BenchFailure {
        List<String> connection = List.of("-h", "localhost", "-p", Integer.toString(port), "-U", "postgres");
        progress.accept("bench: pgbench: initializing (scale 10) on PostgreSQL port " + port);
        command(log, "psql", connection, List.of("-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE pgbench"), 60);
        command(log, "pgbench", connection, List.of("-i", "-s", "10", "-q", "pgbench"), 600);
        progress.accept("bench: pgbench: simple-update, 8 clients, 2 threads, " + seconds + " s");
        String output = command(log, "pgbench", connection,
                List.of("-n", "-b", "simple-update", "-c", "8", "-j", "2", "-T", Integer.toString(seconds), "pgbench"),
                seconds + 120);
        command(log, "psql", connection, List.of("-d", "postgres", "-c", "DROP DATABASE pgbench"), 60);
        return tps(output);
    }

    /** The first {@code tps = N} of pgbench's report. */
    static double tps(String output) throws BenchFailure {
        Matcher m = TPS.matcher(output);
        if (!m.find()) {
            throw new BenchFailure("pgbench printed no 'tps = N' line:\n" + output);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String command(Path log, String tool, List<String> connection, List<String> args, long timeoutSeconds)
            throws BenchFailure {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.addAll(connection);
        command.addAll(args);
        try {
            Path out = Files.createTempFile(log.getParent(), tool, ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().put("PGCONNECT_TIMEOUT", "10");
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BenchFailure(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.writeString(log, "$ " + String.join(" ", command) + "\n" + output, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Files.delete(out);
            if (process.exitValue() != 0) {
                throw new BenchFailure(String.join(" ", command) + " failed with exit code " + process.exitValue()
                        + ":\n" + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new BenchFailure("could not run " + tool + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure(tool + " was interrupted");
        }
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
