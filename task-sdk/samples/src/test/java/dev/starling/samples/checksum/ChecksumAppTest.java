package dev.starling.samples.checksum;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.LocalRunner;
import dev.starling.sdk.WorkUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksumAppTest {
    private final ChecksumApp app = new ChecksumApp();
    private final LocalRunner runner = LocalRunner.forApp(app).replicas(2).build();

    @Test
    void workUnitZeroOutputsTheHashOfEightZeroBytes() throws Exception {
        byte[] output = runner.computeOne(new WorkUnit(0, 0, ChecksumApp.encode(0, 1)));

        // sha256 of 8 zero bytes, as `head -c 8 /dev/zero | sha256sum` prints it
        assertThat(new String(output, US_ASCII))
                .isEqualTo("af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc");
        assertThat(output).isEqualTo(ChecksumApp.output(0, 1));
    }

    @Test
    void moreRoundsHashTheHashAgain() throws Exception {
        assertThat(runner.computeOne(new WorkUnit(0, 7, ChecksumApp.encode(7, 3)))).isEqualTo(ChecksumApp.output(7, 3))
                .isNotEqualTo(ChecksumApp.output(7, 1));
    }

    @Test
    void theJobDigestCoversEveryOutputInOrder() {
        Map<String, Object> result = runner.run(Map.of("workUnits", 100, "rounds", 2));

        assertThat(result).isEqualTo(Map.of("workUnits", 100L, "digest", ChecksumApp.digest(100, 2)));
        assertThat(ChecksumApp.digest(100, 2)).isNotEqualTo(ChecksumApp.digest(99, 2));
    }

    @Test
    void workUnitsAndRoundsAreBounded() {
        assertThatThrownBy(() -> runner.bind(Map.of("workUnits", 0))).isInstanceOf(InvalidParamsException.class)
                .hasMessageContaining("workUnits");
        assertThatThrownBy(() -> runner.bind(Map.of("workUnits", 10, "rounds", 2_000_000)))
                .isInstanceOf(InvalidParamsException.class).hasMessageContaining("rounds");
    }
}
