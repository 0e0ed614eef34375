package dev.starling.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import dev.starling.sdk.LocalRunner;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleAppsTest {

    @Test
    void theSampleAppsAreFoundOnTheClassPath() {
        Apps apps = Apps.load();

        assertThat(apps.names()).containsExactly("checksum", "integrate", "primes", "signal-search", "wordcount");
        for (App app : apps.all()) {
            assertThat(app.info().description()).isNotBlank();
            assertThat(app.info().params()).allSatisfy(p -> assertThat(p.description()).isNotBlank());
        }
    }

    @Test
    void loadedAppsRunLocally() {
        Apps apps = Apps.load();

        App primes = apps.find("primes").orElseThrow();
        assertThat(LocalRunner.forApp(primes).build().run(Map.of("from", 0, "to", 100)))
                .isEqualTo(Map.of("count", 25L));
        App integrate = apps.find("integrate").orElseThrow();
        Map<String, Object> result = LocalRunner.forApp(integrate).build()
                .run(Map.of("function", "sin", "a", 0, "b", Math.PI / 2, "intervals", 10_000, "workUnits", 10));
        assertThat((Double) result.get("integral")).isCloseTo(1.0, within(1e-12));
    }
}
