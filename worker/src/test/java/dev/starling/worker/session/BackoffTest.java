package dev.starling.worker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** Always draws the largest value allowed, so the ceilings show. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void theCeilingDoublesUpToTheCapAndResetsAfterASuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2), HIGHEST);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            millis.add(backoff.next().toMillis());
        }
        assertThat(millis).containsExactly(250L, 500L, 1000L, 2000L, 2000L, 2000L);

        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void pausesAreRandomBetweenZeroAndTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), RandomGenerator.of("L64X128MixRandom"));
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofSeconds(30));
        }
    }

    @Test
    void neverOverflowsHoweverLongTheOutage() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofDays(365), HIGHEST);
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.next()).isPositive().isLessThanOrEqualTo(Duration.ofDays(365));
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void refusesAnInitialPauseAboveTheCap() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), HIGHEST))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
