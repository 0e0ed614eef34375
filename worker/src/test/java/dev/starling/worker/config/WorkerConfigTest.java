package dev.starling.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The records refuse what the command line refuses, in the same words, however they are built. */
class WorkerConfigTest {
    private static final HostPort COORDINATOR = new HostPort("localhost", 9090);

    private static WorkerConfig.Builder config() {
        return WorkerConfig.builder(COORDINATOR, Path.of("work"));
    }

    @Test
    void theBuildersStartFromTheDefaults() {
        WorkerConfig config = config().build();

        assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.name()).isNotBlank();
        assertThat(config.dataPlane().cacheBytes()).isEqualTo(4L << 30);
        assertThat(config.dataPlane().serves()).isTrue();
        assertThat(config.preferences().cpuLimitPercent()).isEqualTo(100);
        assertThat(config.preferences().busyCpuPercent()).isEqualTo(25);
        assertThat(config.preferences().idleAfter()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.preferences().workBuffer()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.preferences().checkpointInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.settings()).isEmpty();
        assertThat(config.wasmMemoryMiB()).isPositive()
                .isLessThanOrEqualTo(WorkerConfig.largestWasmMemoryMiB(Runtime.getRuntime().maxMemory()));
    }

    @Test
    void theMemoryForWebAssemblyMustFitTheHeapBesideTheWorker() {
        assertThat(WorkerConfig.largestWasmMemoryMiB(1L << 30)).isEqualTo(554);
        assertThat(WorkerConfig.largestWasmMemoryMiB(128L << 20)).isZero();
        assertThatThrownBy(() -> WorkerConfig.checkWasmMemory(555, 1L << 30))
                .hasMessageStartingWith("--wasm-memory 555M does not fit this worker's heap of 1024M")
                .hasMessageContaining("at most 554M here").hasMessageContaining("JAVA_OPTS=-Xmx2g");
        assertThatThrownBy(() -> config().wasmMemoryMiB(-1).build())
                .hasMessage("--wasm-memory must not be negative, was -1M");
        assertThat(config().wasmMemoryMiB(0).build().wasmMemoryMiB()).as("no WebAssembly").isZero();
    }

    @Test
    void aSettingOutOfRangeIsRefusedInTheCommandLinesWords() {
        assertThatThrownBy(() -> config().cores(0).build()).hasMessage("--cores must be at least 1, was 0");
        assertThatThrownBy(() -> config().name(" ").build())
                .hasMessage("--name must have 1 to 200 characters, was ' '");
        assertThatThrownBy(() -> config().gracePeriod(Duration.ofSeconds(-1)).build())
                .hasMessage("--grace-period must not be negative, was PT-1S");
        assertThatThrownBy(() -> config().accountKey(Optional.of("sv 1")).build())
                .hasMessage("--account-key must be the key as sign-up printed it (sv_...)");
        assertThatThrownBy(() -> Preferences.builder().cpuLimitPercent(0).build())
                .hasMessage("--cpu-limit takes a percentage from 1 to 100, was '0'");
        assertThatThrownBy(() -> Preferences.builder().memoryLimitBytes(1 << 20).build())
                .hasMessage("--memory-limit must be at least 64M, was 1048576 bytes");
        assertThatThrownBy(() -> Preferences.builder().checkpointInterval(Duration.ofMillis(500)).build())
                .hasMessage("--checkpoint-interval must be at least 1s, was PT0.5S");
        assertThatThrownBy(() -> DataPlaneConfig.builder().cacheBytes(512 << 10).build())
                .hasMessage("--cache-size must be at least 1M (one chunk), was 524288 bytes");
        assertThatThrownBy(() -> DataPlaneConfig.builder().peerPort(70000).build())
                .hasMessage("--peer-port must be 0 to 65535, was 70000");
        assertThatThrownBy(() -> DataPlaneConfig.builder().advertiseHost(Optional.of("example.org:7070")).build())
                .hasMessageStartingWith("--advertise-host takes a host name or address without a port");
    }

    @Test
    void theCpuTemperatureLimitIsDegreesCelsiusOrOffAndTheIdleLimitFollowsTheInUseOneUnlessSet() {
        assertThat(Celsius.parse("85")).isEqualTo(85);
        assertThat(Celsius.parse(" 90C ")).isEqualTo(90);
        assertThat(Celsius.parse("80°C")).isEqualTo(80);
        assertThat(Celsius.parse("off")).isZero();
        assertThat(Celsius.parse("0")).isZero();
        assertThatThrownBy(() -> Celsius.parse("120")).hasMessage("--max-cpu-temp takes degrees Celsius from 40 to 110"
                + " (for example 85), or off, was '120'");
        assertThatThrownBy(() -> Preferences.builder().maxCpuTempCelsius(39).build())
                .hasMessageStartingWith("--max-cpu-temp takes degrees Celsius from 40 to 110");
        assertThat(Preferences.defaults().maxCpuTempCelsius()).isEqualTo(85);
        assertThat(Preferences.defaults().busyGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Preferences.builder().cpuLimitPercent(60).build().cpuLimitIdlePercent()).isEqualTo(60);
        assertThat(Preferences.builder().cpuLimitPercent(60).cpuLimitIdlePercent(100).build().cpuLimitIdlePercent())
                .isEqualTo(100);
        assertThatThrownBy(() -> Preferences.builder().busyGrace(Duration.ofSeconds(-1)).build())
                .hasMessage("--busy-grace must not be negative, was PT-1S");
    }

    @Test
    void blanksAroundANameOrAKeyAreDroppedAndABlankKeyIsNone() {
        WorkerConfig config = config().name("  lab-pc  ").accountKey(Optional.of("  ")).build();

        assertThat(config.name()).isEqualTo("lab-pc");
        assertThat(config.accountKey()).isEmpty();
    }

    @Test
    void zeroMeansNoCapAndNoLimit() {
        assertThat(DataPlaneConfig.builder().uploadBytesPerSecond(0).downloadBytesPerSecond(0).build().serves())
                .isTrue();
        assertThat(Preferences.builder().memoryLimitBytes(0).journalBytes(0).build().memoryLimitBytes()).isZero();
    }
}
