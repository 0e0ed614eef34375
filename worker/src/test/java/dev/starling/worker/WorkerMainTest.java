package dev.starling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.sdk.Apps;
import dev.starling.worker.config.Setting;
import dev.starling.worker.config.Source;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line, run in process with its output captured. */
class WorkerMainTest {
    @TempDir
    Path workDir;

    @TempDir
    Path configDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** The default config file of these tests (none unless a test writes it). */
    private Path defaultConfig() {
        return configDir.resolve("worker.properties");
    }

    private WorkerMain command() {
        return new WorkerMain(Apps::load, Tuning.defaults(), Clock.systemUTC(), defaultConfig());
    }

    private int run(String... args) {
        return WorkerMain.commandLine(command(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    /** The checked configuration {@code args} give, as a worker started with them would run. */
    private WorkerConfig configOf(String... args) {
        WorkerMain command = command();
        WorkerMain.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true)).parseArgs(args);
        return command.config();
    }

    @Test
    void aNewInstallComputesGentlyOnTheSettingsOfHowMuchNobodySet() {
        WorkerConfig config = configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString(),
                "--cpu-limit", "70");

        assertThat(config.cores()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(config.preferences().cpuLimitPercent()).as("set on the command line").isEqualTo(70);
        assertThat(config.preferences().cpuLimitIdlePercent()).as("a limit someone set holds when idle too")
                .isEqualTo(70);
        assertThat(config.settings()).contains(new Setting("cores", "50%", Source.NEW_INSTALL),
                new Setting("cpu-limit", "70", Source.COMMAND_LINE))
                .noneMatch(s -> s.name().equals("cpu-limit-idle"));

        WorkerConfig unset = configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString());
        assertThat(unset.preferences().cpuLimitPercent()).isEqualTo(50);
        assertThat(unset.preferences().cpuLimitIdlePercent()).isEqualTo(100);
        assertThat(unset.settings()).contains(new Setting("cpu-limit", "50", Source.NEW_INSTALL),
                new Setting("cpu-limit-idle", "100", Source.NEW_INSTALL));
    }

    @Test
    void anInstallThatRegisteredBeforeKeepsTheOrdinaryDefaults() throws Exception {
        Files.writeString(workDir.resolve("host.properties"), "host.id=4\n");

        WorkerConfig config = configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString());

        assertThat(config.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.preferences().cpuLimitPercent()).isEqualTo(100);
        assertThat(config.preferences().cpuLimitIdlePercent()).isEqualTo(100);
        assertThat(config.settings()).noneMatch(s -> s.source() == Source.NEW_INSTALL);
    }

    @Test
    void aNewInstallStaysGentleAfterItRegisteredButStatusAndHelpMarkNothing() throws Exception {
        assertThat(run("status", "--work-dir", workDir.toString())).isEqualTo(ExitCodes.ERROR);
        assertThat(workDir.resolve(NewInstall.MARKER)).doesNotExist();
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuseProtocol("stop here"); // the start is all this test needs

            run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString());
        }
        assertThat(workDir.resolve(NewInstall.MARKER)).content().contains("cores 50%, cpu-limit 50");
        Files.writeString(workDir.resolve("host.properties"), "host.id=4\n");

        WorkerConfig config = configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString());

        assertThat(config.preferences().cpuLimitPercent()).isEqualTo(50);
        assertThat(config.settings()).contains(new Setting("cpu-limit", "50", Source.NEW_INSTALL));
    }

    @Test
    void aSettingFromTheConfigFileWinsOverANewInstallsAndTheIdleLimitFollowsTheInUseOneUnlessSet() throws Exception {
        Files.writeString(workDir.resolve("host.properties"), "host.id=4\n");
        Files.writeString(defaultConfig(), "cpu-limit = 60\nmax-cpu-temp = 75C\nbusy-grace = 30s\n");

        WorkerConfig config = configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString());

        assertThat(config.preferences().cpuLimitIdlePercent()).as("as it was before there were two").isEqualTo(60);
        assertThat(config.preferences().maxCpuTempCelsius()).isEqualTo(75);
        assertThat(config.preferences().busyGrace()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(configOf("--coordinator", "localhost:7070", "--work-dir", workDir.toString(), "--max-cpu-temp",
                "off").preferences().maxCpuTempCelsius()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "--cpu-limit-idle|0|--cpu-limit-idle takes a percentage from 1 to 100, was '0'",
        "--max-cpu-temp|30|--max-cpu-temp takes degrees Celsius from 40 to 110 (for example 85), or off, was '30'",
        "--max-cpu-temp|hot|--max-cpu-temp takes degrees Celsius from 40 to 110",
        "--busy-grace|soon|'soon' is not a duration",
    })
    void aMannersOptionWithABadValueIsInvalidInput(String option, String value, String message) {
        assertThat(run("--coordinator", "localhost:7070", "--work-dir", workDir.toString(), option, value))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void aMissingCoordinatorIsInvalidInput() {
        assertThat(run("--cores", "1")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("Missing required option: '--coordinator=HOST:PORT'",
                "or set 'coordinator = HOST:PORT' in the config file " + defaultConfig(), "--help");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void statusWithoutARunningWorkerSaysSoAndFails() {
        assertThat(run("status", "--work-dir", workDir.toString())).isEqualTo(ExitCodes.ERROR);
        assertThat(err.toString()).contains("starling worker status: no worker is running with the work dir " + workDir);
    }

    @Test
    void statusNeedsNoCoordinatorAndReadsTheWorkDirFromTheConfigFile() throws Exception {
        java.nio.file.Files.writeString(defaultConfig(), "work-dir = " + workDir.toString().replace("\\", "/") + "\n");
        assertThat(run("status")).isEqualTo(ExitCodes.ERROR);
        assertThat(err.toString()).contains("no worker is running with the work dir " + workDir)
                .doesNotContain("--coordinator");
    }

    @Test
    void zeroCoresIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:7070", "--cores", "0")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--cores must be at least 1, was 0");
    }

    @Test
    void moreCoresThanTheMachineHasIsInvalidInput() {
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(run("--coordinator", "localhost:7070", "--cores", String.valueOf(processors + 1)))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--cores " + (processors + 1) + " is more than this machine's "
                + processors, "give at most " + processors + ", or a share such as 50%");
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
        assertThat(out.toString()).contains("status", "--config", "--coordinator", "--account-key", "--tls",
                        "--coordinator-ca", "--name", "--cores", "--work-dir",
                        "--grace-period", "--log-level", "--cpu-limit", "--cpu-limit-idle", "--idle-only", "--busy-grace",
                        "--max-cpu-temp", "--compute-hours", "--network-hours",
                        "--memory-limit", "--disk-limit", "--work-buffer", "--checkpoint-interval", "--download-rate",
                        "--cache-size", "--peer-port", "--upload-rate", "--advertise-host", "--no-serve", "--behind-nat",
                        "--wasm-memory", "--app-key")
                .doesNotContain("--inject-fault");
        assertThat(out.toString()).as("per cent signs are written for picocli's formatting, which shows them once")
                .contains("--cores 50% --cpu-limit", "'cores = 50%'", "as 50% (default", "at most 90% of it")
                .doesNotContain("%%");
        String[] footer = WorkerMain.commandLine(command(), new PrintWriter(out), new PrintWriter(err))
                .getCommandSpec().usageMessage().footer();
        assertThat(footer).as("examples fit an 80-column terminal, so picocli breaks none inside a word")
                .allSatisfy(line -> assertThat(line.replace("%%", "%").length()).isLessThanOrEqualTo(80));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "--cache-size|lots|'lots' is not a size; write for example 512M, 4G or 1048576",
        "--cache-size|512K|--cache-size must be at least 1M (one chunk), was 524288 bytes",
        "--upload-rate|fast|'fast' is not a size; write for example 512M, 4G or 1048576",
        "--upload-rate|100|--upload-rate must be at least 1K (bytes per second), was 100",
        "--peer-port|70000|--peer-port must be 0 to 65535, was 70000",
        "--peer-port|-1|--peer-port must be 0 to 65535, was -1",
        "--advertise-host|example.org:7070|--advertise-host takes a host name or address without a port",
        "--advertise-host|\" \"|--advertise-host takes a host name or address without a port",
    })
    void aDataPlaneOptionWithABadValueIsInvalidInput(String option, String value, String message) {
        assertThat(run("--coordinator", "localhost:7070", option, value)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "512K|--wasm-memory must be 0 (no WebAssembly) or at least 1M, was 524288 bytes",
        "100T|--wasm-memory 104857600M does not fit this worker's heap",
        "lots|'lots' is not a size",
    })
    void aWasmMemoryThatIsNoSizeOrDoesNotFitTheHeapIsInvalidInput(String value, String message) {
        assertThat(run("--coordinator", "localhost:7070", "--wasm-memory", value)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not a key",
        "AAAA",
        "MCowBQYDK2VwAyEA,MCowBQYDK2VwAyEA",
    })
    void anAppKeyThatIsNoEd25519PublicKeyIsInvalidInput(String value) {
        assertThat(run("--coordinator", "localhost:7070", "--app-key", value)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--app-key: not").contains("one line of Base64");
    }

    @ParameterizedTest
    @CsvSource({
        "--no-serve, --peer-port, 7070",
        "--no-serve, --upload-rate, 1M",
        "--behind-nat, --advertise-host, example.org",
    })
    void aServingOptionWithAWorkerThatServesNoPeersIsInvalidInput(String flag, String option, String value) {
        assertThat(run("--coordinator", "localhost:7070", flag, option, value)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(option + " has no effect with " + flag + ": this worker serves no peers");
    }

    @Test
    void noServeAndBehindNatExcludeEachOther() {
        assertThat(run("--coordinator", "localhost:7070", "--no-serve", "--behind-nat")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--no-serve and --behind-nat exclude each other");
    }

    @Test
    void aWorkDirThatIsAFileIsAnErrorThatSaysWhy() throws Exception {
        Path file = java.nio.file.Files.writeString(workDir.resolve("not-a-dir"), "x");

        assertThat(run("--coordinator", "localhost:7070", "--work-dir", file.toString())).isEqualTo(ExitCodes.ERROR);
        String prefix = "cannot use the work directory " + file + ": ";
        assertThat(err.toString()).contains(prefix);
        assertThat(err.toString().substring(err.toString().indexOf(prefix) + prefix.length()))
                .as("the reason, not the path again").doesNotStartWith(file.toString()).isNotBlank();
    }

    @Test
    void aWorkDirAnotherWorkerHoldsIsRefusedBeforeAnythingIsWrittenInIt() throws Exception {
        try (FileChannel channel = FileChannel.open(workDir.resolve("worker.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            assertThat(run("--coordinator", "localhost:7070", "--work-dir", workDir.toString()))
                    .isEqualTo(ExitCodes.ERROR);
        }
        assertThat(err.toString()).contains("cannot use the work directory " + workDir
                + ": another worker is running with this work dir; give each worker its own --work-dir");
        try (var left = java.nio.file.Files.list(workDir)) {
            assertThat(left).as("no journal, cache or logs of the refused worker")
                    .containsExactly(workDir.resolve("worker.lock"));
        }
    }

    @Test
    void aPeerPortInUseIsAnErrorThatSaysWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int exitCode = run("--coordinator", "localhost:7070", "--work-dir", workDir.toString(), "--peer-port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(exitCode).isEqualTo(ExitCodes.ERROR);
            assertThat(err.toString()).contains("cannot listen for peers on port " + taken.getLocalPort(),
                    "choose another --peer-port, or 0 for any free port");
        }
    }

    @Test
    void registersWithTheAdvertisedHostAndTheChosenPeerPort() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuseProtocol("stop here"); // registration is all this test needs

            run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString(), "--cores", "1",
                    "--peer-port", Integer.toString(port), "--advertise-host", "peer.example.org", "--cache-size", "16M");

            assertThat(coordinator.registrations()).singleElement()
                    .satisfies(r -> assertThat(r.getPeerAddress()).isEqualTo("peer.example.org:" + port));
            assertThat(workDir.resolve("blobs")).isDirectory();
        }
    }

    @Test
    void exitsWithTheProtocolCodeWhenTheCoordinatorRefusesItsProtocol() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuseProtocol("this coordinator speaks protocol 2 and up");

            int exitCode = run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString(),
                    "--name", "cli-test", "--cores", "1");

            assertThat(exitCode).isEqualTo(ExitCodes.PROTOCOL_TOO_OLD);
            assertThat(err.toString()).contains("this coordinator speaks protocol 2 and up", "exit code 3");
            // the apps come from the class path (ServiceLoader)
            assertThat(coordinator.registrations()).singleElement().satisfies(r -> {
                assertThat(r.getName()).isEqualTo("cli-test");
                assertThat(r.getCores()).isEqualTo(1);
                assertThat(r.getAppsList()).contains(TestApp.NAME);
            });
        }
    }

    @Test
    void aCoordinatorCaFileThatDoesNotExistIsInvalidInput() {
        assertThat(run("--coordinator", "localhost:7070", "--coordinator-ca", workDir.resolve("nope.pem").toString()))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--coordinator-ca: no such file");
    }

    @Test
    void helpPutsTheAccountKeyAndTlsRightAfterTheCoordinator() {
        run("--help");
        List<String> options = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+(?:-\\w, )?(--[a-z-]+)").matcher(out.toString());
        while (m.find()) {
            if (!options.contains(m.group(1)) && !m.group(1).matches("--help|--version")) {
                options.add(m.group(1));
            }
        }
        assertThat(options).startsWith("--config", "--coordinator", "--account-key", "--tls", "--coordinator-ca", "--name", "--cores");
    }

    @Test
    void aRefusedAccountKeyEndsTheWorkerWithTheRefusedCodeAndTheCoordinatorsReason() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuse(io.grpc.Status.UNAUTHENTICATED.withDescription("unknown account key: check --account-key"));

            int exitCode = run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString(),
                    "--cores", "1", "--account-key", "sv_1_wrong");

            assertThat(exitCode).isEqualTo(ExitCodes.REFUSED);
            assertThat(err.toString()).contains("the coordinator refuses this worker: unknown account key: check --account-key");
            assertThat(coordinator.registrations()).singleElement()
                    .satisfies(r -> assertThat(r.getAccountKey()).isEqualTo("sv_1_wrong"));
        }
    }

    @Test
    void aBannedHostEndsTheWorkerWithTheRefusedCode() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator()) {
            coordinator.refuse(io.grpc.Status.PERMISSION_DENIED.withDescription("host 100 is banned: cheating"));

            int exitCode = run("--coordinator", coordinator.address().toString(), "--work-dir", workDir.toString(),
                    "--cores", "1");

            assertThat(exitCode).isEqualTo(ExitCodes.REFUSED);
            assertThat(err.toString()).contains("host 100 is banned: cheating");
            assertThat(coordinator.registrations()).singleElement()
                    .satisfies(r -> assertThat(r.getAccountKey()).isEmpty());
        }
    }
}
