package dev.starling.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.cli.CoordinatorMain;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starting a coordinator as the command line does: help, and the operator's mistakes, each said in one line at the
 * end of the output (no stack trace), with nothing started. The end-to-end {@code StartupIT} does the same with
 * coordinator processes.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupTest {

    @Test
    void helpPrintsTheUsageAndStartsNothing(CapturedOutput output) throws Exception {
        CoordinatorMain.main(new String[] {"--help"});
        CoordinatorMain.main(new String[] {"--server.port=1", "-h"});
        assertThat(output.getOut()).startsWith("Usage: starling coordinator").contains("--starling.data-dir=./starling-data")
                .contains("docs/operator-guide.md").doesNotContain("Starting StarlingCoordinator");
    }

    @Test
    void aShortAdminPasswordIsOneLine(CapturedOutput output) {
        assertThatThrownBy(() -> start(List.of("--spring.datasource.url=" + TestDatabase.create(),
                "--starling.admin.password=short"))).isNotNull();
        assertOneLineAtTheEnd(output, "The coordinator cannot start: the admin password in STARLING_ADMIN_PASSWORD "
                + "(starling.admin.password) must have at least 8 characters. Set a longer one");
    }

    @Test
    void aTakenGrpcPortIsOneLine(CapturedOutput output) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> start(List.of("--spring.datasource.url=" + TestDatabase.create(),
                    "--spring.grpc.server.port=" + taken.getLocalPort()))).isNotNull();
            assertOneLineAtTheEnd(output, "The coordinator cannot start: the gRPC port " + taken.getLocalPort()
                    + " is already in use. Stop what listens there");
        }
    }

    /**
     * A second coordinator on the data dir of a running one stops before it touches anything; it used to take the
     * running one's embedded PostgreSQL for one a crash had left, and stop it.
     */
    @Test
    void aSecondCoordinatorOnTheDataDirStopsAndTheFirstKeepsItsDatabase(@TempDir Path dataDir, CapturedOutput output)
            throws Exception {
        try (ConfigurableApplicationContext first = start(List.of("--starling.data-dir=" + dataDir))) {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            int before = output.getOut().length();

            assertThatThrownBy(() -> start(List.of("--starling.data-dir=" + dataDir))).isNotNull();
            assertOneLineAtTheEnd(output, "The coordinator cannot start: another coordinator (pid "
                    + ProcessHandle.current().pid() + ") is running with the data dir " + dataDir.toAbsolutePath()
                    + ". Stop it first, or give this one a data dir of its own (--starling.data-dir=DIR).");
            assertThat(output.getOut().substring(before)).doesNotContain("Starting embedded PostgreSQL")
                    .doesNotContain("left running by an earlier coordinator");

            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).contains(true);
            int port = first.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            TestApi.Response r = new TestApi(port).asAdmin(CoordinatorTest.ADMIN_PASSWORD)
                    .post("/api/v1/admin/researchers", "{\"name\":\"still here\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        // closed, the first gives the data dir back
        start(List.of("--starling.data-dir=" + dataDir)).close();
    }

    /** A coordinator started with {@code settings} after free ports and the test admin password. */
    private static ConfigurableApplicationContext start(List<String> settings) {
        Map<String, String> args = new LinkedHashMap<>();
        // an option given twice would be both values, comma-separated: settings replace the defaults
        for (String arg : Stream.concat(Stream.of("--server.port=0", "--spring.grpc.server.port=" + CoordinatorTest.freePort(),
                "--starling.admin.password=" + CoordinatorTest.ADMIN_PASSWORD,
                "--spring.datasource.username=" + TestDatabase.USER), settings.stream()).toList()) {
            args.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        return new SpringApplicationBuilder(StarlingCoordinator.class).run(args.values().toArray(String[]::new));
    }

    private static void assertOneLineAtTheEnd(CapturedOutput output, String expected) {
        List<String> lines = output.getOut().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.getLast()).contains(expected);
        assertThat(output.getAll()).doesNotContain("\tat ").doesNotContain("Caused by");
    }
}
