package dev.starling.coordinator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.StarlingProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The pause a busy answer asks for: {@code retry-after} while few are turned away, and, when many more are turned away
 * than a kind serves, as long as serving them takes, so that they come back at the pace they can be served.
 */
class AdmissionTest {
    private final Admission admission = new Admission(properties(), new SimpleMeterRegistry(), null);

    private static StarlingProperties properties() {
        return new Binder(new MapConfigurationPropertySource(Map.of(
                "starling.admission.register", "1",
                "starling.admission.queue", "0",
                "starling.admission.max-wait", "0s",
                "starling.admission.retry-after", "2s")))
                .bindOrCreate("starling", StarlingProperties.class);
    }

    @Test
    void aFewTurnedAwayAreAskedToWaitRetryAfterAndAHerdLongerTheMoreItIs() throws Exception {
        // one call served, holding its permit 100 ms: the kind serves about 10 calls a second
        try (Admission.Permit p = admission.enter(Admission.Kind.REGISTER)) {
            Thread.sleep(100);
        }
        try (Admission.Permit held = admission.enter(Admission.Kind.REGISTER)) {
            Duration first = retryAfter();
            for (int i = 0; i < 48; i++) {
                retryAfter();
            }
            Duration fiftieth = retryAfter();

            assertThat(first).as("one turned away").isEqualTo(Duration.ofSeconds(2));
            // fifty turned away at about 10 a second at most: at least 5 s (at most a minute)
            assertThat(fiftieth).isBetween(Duration.ofSeconds(5), Duration.ofMinutes(1));
        }
        assertThat(admission.run(Admission.Kind.REGISTER, () -> "served")).as("the permit came back").isEqualTo("served");
    }

    private Duration retryAfter() {
        Duration[] asked = new Duration[1];
        assertThatThrownBy(() -> admission.enter(Admission.Kind.REGISTER))
                .isInstanceOfSatisfying(OverloadedException.class, e -> asked[0] = e.retryAfter());
        return asked[0];
    }
}
