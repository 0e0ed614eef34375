package dev.starling.coordinator.e2e;

import static dev.starling.coordinator.CoordinatorTest.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting coordinators and the demo as an operator does, from the packaged jar: help starts nothing, one coordinator
 * per data dir (the lock goes with a killed process), and a mistake in the settings is one line and a non-zero exit.
 */
class StartupIT {
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @Test
    void helpPrintsTheUsageAndStartsNothing(@TempDir Path workingDir) throws Exception {
        for (String help : List.of("--help", "-h")) {
            Run coordinator = run(workingDir, Map.of(), help);
            assertThat(coordinator.exitCode()).isZero();
            assertThat(coordinator.output()).startsWith("Usage: starling coordinator").contains("docs/operator-guide.md");
            Run demo = run(workingDir, Map.of(), "demo", help);
            assertThat(demo.exitCode()).isZero();
            assertThat(demo.output()).startsWith("Usage: starling demo");
        }
        try (Stream<Path> files = Files.list(workingDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsOnly("output.txt");
        }
    }

    @Test
    void aShortAdminPasswordIsOneLineAndExitCodeOne(@TempDir Path workingDir) throws Exception {
        Run run = run(workingDir, Map.of("STARLING_ADMIN_PASSWORD", "short"), "--server.port=" + freePort(),
                "--spring.grpc.server.port=" + freePort(), "--starling.data-dir=" + workingDir.resolve("data"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lastLine()).contains("The coordinator cannot start: the admin password in STARLING_ADMIN_PASSWORD "
                + "(starling.admin.password) must have at least 8 characters");
        assertThat(run.output()).doesNotContain("\tat ");
    }

    /**
     * A second coordinator, or a demo, on the data dir of a running coordinator stops at once and leaves it alone (it
     * used to stop the running one's PostgreSQL, taking it for one a crash had left). After a kill -9 the data dir is
     * free again, and the next start stops the PostgreSQL the killed coordinator left running.
     */
    @Test
    void oneCoordinatorPerDataDir() throws Exception {
        try (Processes p = new Processes("one-coordinator-per-data-dir")) {
            Process first = p.coordinator();
            String refused = "The coordinator cannot start: another coordinator (pid " + first.pid()
                    + ") is running with the data dir " + p.dataDir().toAbsolutePath().normalize()
                    + ". Stop it first, or give this one a data dir of its own (--starling.data-dir=DIR).";

            Process second = p.start("second", p.coordinatorCommand("--server.port=" + freePort(),
                    "--spring.grpc.server.port=" + freePort()));
            assertThat(second.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
            Run secondRun = new Run(1, Files.readString(p.log("second")));
            assertThat(secondRun.lastLine()).contains(refused);
            assertThat(secondRun.output()).doesNotContain("\tat ").doesNotContain("Starting embedded PostgreSQL")
                    .doesNotContain("left running by an earlier coordinator");

            Run demo = run(Files.createTempDirectory(Path.of("target"), "demo"),
                    Map.of("STARLING_WORKER_JAR", Processes.WORKER_JAR.toAbsolutePath().toString()), "demo",
                    "--data-dir", p.dataDir().toAbsolutePath().toString(), "--server.port=0",
                    "--spring.grpc.server.port=0", "--exit-when-done");
            assertThat(demo.exitCode()).isEqualTo(1);
            assertThat(demo.lastLine()).contains(refused);

            assertThat(first.isAlive()).isTrue();
            assertThat(p.api().post("/api/v1/admin/researchers", "{\"name\":\"still served\"}").status()).isEqualTo(201);

            Processes.kill(first); // its PostgreSQL is left running, orphaned; the lock goes with the process
            p.coordinator();
            assertThat(Files.readString(p.log("coordinator"))).contains("left running by an earlier coordinator");
            assertThat(p.api().get("/api/v1/admin/researchers").body()).contains("still served");
        }
    }

    /** The coordinator jar run with {@code args} in {@code workingDir}, output and errors together. */
    private static Run run(Path workingDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", Processes.COORDINATOR_JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path output = workingDir.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().remove("STARLING_ADMIN_PASSWORD");
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 2 minutes: " + command + "; see " + output);
        }
        return new Run(process.exitValue(), Files.readString(output));
    }

    private record Run(int exitCode, String output) {
        String lastLine() {
            return output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
        }
    }
}
