package dev.starling.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The account's preferences as a layer: over the defaults, under the config file and the command line. */
class AccountLayerTest {
    private static WorkerConfig own(Setting... chosen) {
        return WorkerConfig.builder(new HostPort("localhost", 9090), Path.of("work")).name("w").cores(1)
                .wasmMemoryMiB(0).preferences(Preferences.builder().cpuLimitPercent(80).build())
                .settings(List.of(chosen)).build();
    }

    @Test
    void theAccountSetsWhatTheMachineLeftAtItsDefaultsAndSaysSo() {
        AccountLayer.Layered layered = AccountLayer.apply(own(), Map.of("cpuLimit", "40", "idleOnly", "true",
                "computeHours", "22:00-07:00", "memoryLimit", "2G", "workBuffer", "30m", "cores", "2"));

        Preferences p = layered.config().preferences();
        assertThat(p.cpuLimitPercent()).isEqualTo(40);
        assertThat(p.idleOnly()).isTrue();
        assertThat(p.computeHours()).hasToString("22:00-07:00");
        assertThat(p.memoryLimitBytes()).isEqualTo(2L << 30);
        assertThat(p.workBuffer()).isEqualTo(Duration.ofMinutes(30));
        assertThat(layered.config().cores()).isEqualTo(2);
        assertThat(layered.config().settings()).contains(new Setting("cpu-limit", "40", Source.ACCOUNT),
                new Setting("cores", "2", Source.ACCOUNT));
    }

    @Test
    void theConfigFileAndTheCommandLineWinOverTheAccount() {
        WorkerConfig own = own(new Setting("cpu-limit", "80", Source.CONFIG_FILE),
                new Setting("cores", "1", Source.COMMAND_LINE));

        AccountLayer.Layered layered = AccountLayer.apply(own, Map.of("cpuLimit", "40", "cores", "4", "idleOnly", "true"));

        assertThat(layered.config().preferences().cpuLimitPercent()).isEqualTo(80);
        assertThat(layered.config().cores()).isEqualTo(1);
        assertThat(layered.config().preferences().idleOnly()).isTrue();
        assertThat(layered.applied()).containsOnlyKeys("idle-only");
    }

    @Test
    void aValueTheWorkerCannotTakeIsSkippedAndAnUnknownKeyIgnored() {
        AccountLayer.Layered layered = AccountLayer.apply(own(), Map.of("cpuLimit", "0", "memoryLimit", "1M",
                "brightness", "11", "cpuLimitIdle", "70", "workBuffer", "5m"));

        assertThat(layered.skipped()).containsOnlyKeys("cpu-limit", "memory-limit");
        assertThat(layered.applied()).containsOnlyKeys("cpu-limit-idle", "work-buffer");
        assertThat(layered.config().preferences().cpuLimitPercent()).isEqualTo(80);
        assertThat(layered.config().preferences().workBuffer()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void noAccountPreferencesLeaveTheConfigurationAsItWas() {
        WorkerConfig own = own(new Setting("cpu-limit", "80", Source.CONFIG_FILE));

        assertThat(AccountLayer.apply(own, Map.of()).config()).isEqualTo(own);
    }
}
