package dev.starling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.sdk.Apps;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.config.HostPort;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.config.Setting;
import dev.starling.worker.config.Source;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The config file and the command line merged as docs/volunteer-guide.md says: the file sets defaults, flags win. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Path defaultConfig() {
        return dir.resolve("config").resolve("worker.properties");
    }

    private void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** Parses like a run would, and returns what the worker would be given; fails on invalid input. */
    private WorkerConfig configOf(String... args) {
        WorkerMain command = new WorkerMain(Apps::load, Tuning.defaults(), Clock.systemUTC(), defaultConfig());
        CommandLine cmd = WorkerMain.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true));
        cmd.parseArgs(args);
        return command.config();
    }

    /**
     * A work dir a worker registered from before, which keeps the ordinary defaults (a new install's are gentler):
     * tests of the defaults name it rather than find whatever the home folder holds.
     */
    private String oldInstall() throws IOException {
        Path work = dir.resolve("old-install");
        write(work.resolve("host.properties"), "host.id=4\n");
        return work.toString();
    }

    /** Runs the command and returns its exit code; nothing here gets as far as starting a worker. */
    private int run(String... args) {
        WorkerMain command = new WorkerMain(Apps::load, Tuning.defaults(), Clock.systemUTC(), defaultConfig());
        return WorkerMain.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void theDefaultFileSetsEveryOptionItNames() throws Exception {
        write(defaultConfig(), """
                # a volunteer's settings
                coordinator = coord.example.org:9090
                name = lab-pc-3
                cores = 2
                work-dir = %s
                cache-size = 1G
                upload-rate = 2M
                download-rate = 4M
                advertise-host = peer.example.org
                cpu-limit = 60
                idle-only = true
                busy-cpu = 40%%
                idle-after = 5m
                compute-hours = 19:00-07:00
                network-hours = 02:00-04:00
                memory-limit = 2G
                work-buffer = 1h
                checkpoint-interval = 2m
                grace-period = 10s
                wasm-memory = 96M
                """.formatted(dir.resolve("work").toString().replace("\\\\", "/")));

        WorkerConfig config = configOf();

        assertThat(config.coordinator()).isEqualTo(new HostPort("coord.example.org", 9090));
        assertThat(config.name()).isEqualTo("lab-pc-3");
        assertThat(config.cores()).isEqualTo(2);
        assertThat(config.workDir()).isEqualTo(dir.resolve("work"));
        assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.wasmMemoryMiB()).isEqualTo(96);
        assertThat(config.dataPlane().cacheBytes()).isEqualTo(1L << 30);
        assertThat(config.dataPlane().uploadBytesPerSecond()).isEqualTo(2L << 20);
        assertThat(config.dataPlane().downloadBytesPerSecond()).isEqualTo(4L << 20);
        assertThat(config.dataPlane().advertiseHost()).contains("peer.example.org");
        var prefs = config.preferences();
        assertThat(prefs.cpuLimitPercent()).isEqualTo(60);
        assertThat(prefs.idleOnly()).isTrue();
        assertThat(prefs.busyCpuPercent()).isEqualTo(40);
        assertThat(prefs.idleAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(prefs.computeHours().contains(LocalTime.of(23, 0))).isTrue();
        assertThat(prefs.computeHours().contains(LocalTime.of(12, 0))).isFalse();
        assertThat(prefs.networkHours().contains(LocalTime.of(3, 0))).isTrue();
        assertThat(prefs.memoryLimitBytes()).isEqualTo(2L << 30);
        assertThat(prefs.workBuffer()).isEqualTo(Duration.ofHours(1));
        assertThat(prefs.checkpointInterval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void optionsOnTheCommandLineWinOverTheFile() throws Exception {
        write(defaultConfig(), """
                coordinator = coord.example.org:9090
                name = from-file
                cores = 0
                cpu-limit = 50
                idle-only = true
                """);

        WorkerConfig config = configOf("--name", "from-flag", "--cores", "1", "--cpu-limit", "80");

        assertThat(config.coordinator().host()).as("not overridden: from the file").isEqualTo("coord.example.org");
        assertThat(config.name()).isEqualTo("from-flag");
        assertThat(config.cores()).as("the file's invalid 0 is never used").isEqualTo(1);
        assertThat(config.preferences().cpuLimitPercent()).isEqualTo(80);
        assertThat(config.preferences().idleOnly()).isTrue();
    }

    @Test
    void aFlagSetInTheFileIsTrueOrFalse() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\nno-serve = true\n");
        assertThat(configOf().dataPlane().serving()).isEqualTo(DataPlaneConfig.Serving.NO_SERVE);

        write(defaultConfig(), "coordinator = localhost:9090\nno-serve = false\n");
        assertThat(configOf().dataPlane().serving()).isEqualTo(DataPlaneConfig.Serving.PEERS);
    }

    @Test
    void aFlagOnTheCommandLineThatClashesWithTheFileSaysWhereTheOtherSettingCameFrom() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\npeer-port = 7070\n");

        assertThat(run("--no-serve")).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("--peer-port has no effect with --no-serve",
                "(from 'peer-port = 7070' in the config file " + defaultConfig() + ")");
    }

    @Test
    void configChoosesAnotherFileAndThenTheDefaultOneIsNotRead() throws Exception {
        write(defaultConfig(), "coordinator = default.example.org:9090\n");
        Path other = dir.resolve("elsewhere.properties");
        write(other, "coordinator = other.example.org:7000\ncores = 1\n");

        WorkerConfig config = configOf("--config", other.toString());

        assertThat(config.coordinator()).isEqualTo(new HostPort("other.example.org", 7000));
        assertThat(config.cores()).isEqualTo(1);
    }

    @Test
    void withoutAnyFileTheDefaultsHold() throws IOException {
        WorkerConfig config = configOf("--coordinator", "localhost:9090", "--work-dir", oldInstall());

        assertThat(config.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.dataPlane().cacheBytes()).isEqualTo(DataPlaneConfig.defaults().cacheBytes());
        assertThat(config.preferences().cpuLimitPercent()).isEqualTo(100);
        assertThat(config.preferences().idleOnly()).isFalse();
        assertThat(config.preferences().computeHours().isAlways()).isTrue();
        assertThat(config.preferences().journalBytes()).isZero();
    }

    @Test
    void withoutAnySettingTheRecordsHaveTheirOwnDefaults() throws IOException {
        String workDir = oldInstall();
        WorkerConfig config = configOf("--coordinator", "localhost:9090", "--work-dir", workDir);

        assertThat(config.preferences()).isEqualTo(Preferences.defaults());
        assertThat(config.dataPlane()).isEqualTo(DataPlaneConfig.defaults());
        assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.settings()).as("only the coordinator and the work dir were chosen").containsExactly(
                new Setting("coordinator", "localhost:9090", Source.COMMAND_LINE),
                new Setting("work-dir", workDir, Source.COMMAND_LINE));
    }

    @Test
    void theConfigurationRemembersWhereEachChosenSettingCameFrom() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\nname = from-file\ncores = 1\naccount-key = sv_1_x\n");

        String newInstall = dir.resolve("new-install").toString();
        WorkerConfig config = configOf("--name", "from-flag", "--no-serve", "--cpu-limit=60%", "--work-dir", newInstall);

        assertThat(config.settings()).as("in --help order; the account key is never shown").containsExactly(
                new Setting("coordinator", "localhost:9090", Source.CONFIG_FILE),
                new Setting("account-key", Setting.HIDDEN, Source.CONFIG_FILE),
                new Setting("name", "from-flag", Source.COMMAND_LINE),
                new Setting("cores", "1", Source.CONFIG_FILE),
                new Setting("work-dir", newInstall, Source.COMMAND_LINE),
                new Setting("no-serve", "true", Source.COMMAND_LINE),
                new Setting("cpu-limit", "60%", Source.COMMAND_LINE));
    }

    @Test
    void coresMayBeAShareOfTheProcessors() {
        int processors = Runtime.getRuntime().availableProcessors();

        assertThat(configOf("--coordinator", "localhost:9090", "--cores", "50%").cores())
                .isEqualTo(Math.max(1, processors / 2));
        assertThat(configOf("--coordinator", "localhost:9090", "--cores", "100%").cores()).isEqualTo(processors);
        assertThat(configOf("--coordinator", "localhost:9090", "--cores", "1%").cores()).as("never less than one")
                .isEqualTo(1);
    }

    @Test
    void theDiskLimitSharesTheWorkDirBetweenCacheAndJournal() {
        WorkerConfig config = configOf("--coordinator", "localhost:9090", "--disk-limit", "1G");

        assertThat(config.dataPlane().cacheBytes()).isEqualTo((1L << 30) / 10 * 9);
        assertThat(config.preferences().journalBytes()).isEqualTo((1L << 30) - config.dataPlane().cacheBytes());
        assertThat(configOf("--coordinator", "localhost:9090", "--disk-limit", "1G", "--cache-size", "100M")
                .dataPlane().cacheBytes()).as("the smaller of the two").isEqualTo(100L << 20);
    }

    @Test
    void aMissingFileNamedWithConfigIsAnError() {
        Path missing = dir.resolve("nope.properties");

        assertThat(run("--config", missing.toString())).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("the config file " + missing + " does not exist");
    }

    @Test
    void aFileThatIsNotTextIsACorruptedConfigWithAClearError() throws Exception {
        Files.createDirectories(defaultConfig().getParent());
        Files.write(defaultConfig(), new byte[] {'c', 'o', 'r', 'e', 's', '=', (byte) 0xC3, (byte) 0x28, 0, (byte) 0xFF});

        assertThat(run("--coordinator", "localhost:9090")).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("the config file " + defaultConfig() + " is damaged: it is not UTF-8 text",
                "Fix it or move it away");
    }

    @Test
    void aMalformedEscapeIsACorruptedConfigWithAClearError() throws Exception {
        write(defaultConfig(), "name = lab\\u12\n");

        assertThat(run("--coordinator", "localhost:9090")).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("the config file " + defaultConfig() + " is damaged: Malformed \\uxxxx encoding");
    }

    @Test
    void anUnknownSettingIsAnErrorThatSuggestsTheClosestOne() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\ncorse = 2\n");

        assertThat(run()).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("the config file " + defaultConfig() + " has an unknown setting 'corse'"
                + " (did you mean 'cores'?)", "its settings are: ").doesNotContain("inject-fault");
    }

    @Test
    void aBinaryGarbageFileIsAnUnknownSettingRatherThanSilentlyIgnored() throws Exception {
        write(defaultConfig(), "\u0001\u0002garbage line\n");

        assertThat(run()).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("has an unknown setting");
    }

    @Test
    void aBadValueFromTheFileIsNamedAsASettingOfThatFile() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\ncores = lots\n");

        assertThat(run()).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("--cores takes a count such as 2 or a share of the processors such as 50%",
                "(from 'cores = lots' in the config file " + defaultConfig() + ")");
    }

    @Test
    void aBadValueOfAConvertedOptionFromTheFileIsNamedToo() throws Exception {
        write(defaultConfig(), "coordinator = localhost:9090\ncompute-hours = evenings\n");

        assertThat(run()).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("'evenings' is not a list of time windows",
                "(from 'compute-hours = evenings' in the config file " + defaultConfig() + ")");
    }

    @Test
    void theFileMayNotChooseAnotherFile() throws Exception {
        write(defaultConfig(), "config = /etc/other.properties\n");

        assertThat(run("--coordinator", "localhost:9090")).isEqualTo(ExitCodes.INVALID_INPUT);

        assertThat(err.toString()).contains("has an unknown setting 'config'");
    }

    @Test
    void theDefaultLocationIsTheUsersConfigFolder() {
        assertThat(ConfigFile.defaultLocation(Map.of(), "Linux", "/home/ada"))
                .isEqualTo(Path.of("/home/ada/.config/starling/worker.properties"));
        assertThat(ConfigFile.defaultLocation(Map.of("XDG_CONFIG_HOME", "/cfg"), "Linux", "/home/ada"))
                .isEqualTo(Path.of("/cfg/starling/worker.properties"));
        assertThat(ConfigFile.defaultLocation(Map.of(), "Mac OS X", "/Users/ada"))
                .isEqualTo(Path.of("/Users/ada/Library/Application Support/Starling/worker.properties"));
        assertThat(ConfigFile.defaultLocation(Map.of("APPDATA", "C:/Users/ada/AppData/Roaming"), "Windows 11", "C:/Users/ada"))
                .isEqualTo(Path.of("C:/Users/ada/AppData/Roaming/Starling/worker.properties"));
    }

    @Test
    void theHomeFolderIsTheShellsHomeWhereItIsSet() {
        assertThat(ConfigFile.home(Map.of("HOME", "/tmp/ada"), "Linux", "/home/ada")).isEqualTo("/tmp/ada");
        assertThat(ConfigFile.home(Map.of(), "Linux", "/home/ada")).isEqualTo("/home/ada");
        assertThat(ConfigFile.home(Map.of("HOME", "relative"), "Linux", "/home/ada")).isEqualTo("/home/ada");
        assertThat(ConfigFile.home(Map.of("HOME", "/c/Users/ada"), "Windows 11", "C:/Users/ada"))
                .as("a Unix shell's HOME on Windows is not the user's folder").isEqualTo("C:/Users/ada");
    }

    @Test
    void theFileIsUtf8() throws Exception {
        Files.createDirectories(defaultConfig().getParent());
        Files.writeString(defaultConfig(), "coordinator = localhost:9090\nname = Zoë's läptop\n", StandardCharsets.UTF_8);

        assertThat(configOf().name()).isEqualTo("Zoë's läptop");
    }
}
