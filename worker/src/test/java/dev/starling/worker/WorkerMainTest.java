package dev.starling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in process with its output captured. */
class WorkerMainTest {
    @TempDir
    Path workDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return WorkerMain.commandLine(new WorkerMain(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void aMissingCoordinatorIsInvalidInput() {
        assertThat(run("--cores", "1")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("Missing required option: '--coordinator=HOST:PORT'", "--help");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void zeroCoresIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:7070", "--cores", "0")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--cores must be at least 1, was 0");
    }

    @Test
    void aBlankNameIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:9090", "--name", " ")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--name must have 1 to 200 characters");
    }

    @Test
    void aCoordinatorWithoutAPortIsInvalidInput() {
        assertThat(run("--coordinator", "localhost")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("expected HOST:PORT (for example localhost:9090), got 'localhost'");
    }

    @Test
    void aGracePeriodThatIsNoDurationIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:7070", "--grace-period", "soon")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void anUnknownFaultIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:7070", "--inject-fault", "crash")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("unknown fault 'crash'");
    }

    @Test
    void helpListsTheOptionsButNotTheTestOnlyOne() {
        assertThat(run("--help")).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("--coordinator", "--name", "--cores", "--work-dir", "--grace-period", "--log-level")
                .doesNotContain("--inject-fault");
    }

    @Test
    void exitsWithTheProtocolCodeWhenTheCoordinatorRefusesItsProtocol() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuseProtocol("this coordinator speaks protocol 2 and up");

            int exitCode = run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString(),
                    "--name", "cli-test", "--cores", "1");

            assertThat(exitCode).isEqualTo(ExitCodes.PROTOCOL_TOO_OLD);
            assertThat(err.toString()).contains("this coordinator speaks protocol 2 and up", "Please update");
            // the apps come from the class path (ServiceLoader)
            assertThat(coordinator.registrations()).singleElement().satisfies(r -> {
                assertThat(r.getName()).isEqualTo("cli-test");
                assertThat(r.getCores()).isEqualTo(1);
                assertThat(r.getAppsList()).contains(TestApp.NAME);
            });
        }
    }
}
