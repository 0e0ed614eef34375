package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations, number formatting, the long set, maxResults and problem details. */
class SmallPartsTest {

    @ParameterizedTest
    @CsvSource({"60s, 60000", "500ms, 500", "10m, 600000", "1h, 3600000", "PT2S, 2000", "0, 0", "0s, 0", "' 5s ', 5000"})
    void durationsAreReadAsPeopleWriteThem(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void anUnreadableDurationSaysHowToWriteOne() {
        assertThatThrownBy(() -> Durations.parse("ten seconds"))
                .hasMessage("'ten seconds' is not a duration; write for example 60s, 500ms or 10m");
        assertThatThrownBy(() -> Durations.parse("-5s")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"1000.0, 1000", "1000.04, 1000", "1000.05, 1000.1", "0.0, 0", "0.04, 0", "12.345, 12.3", "-1.25, -1.3",
        "1e7, 10000000"})
    void numbersHaveAtMostOneDecimal(double value, String text) {
        assertThat(Numbers.format(value)).isEqualTo(text);
    }

    @Test
    void unknownNumbersAreNotApplicable() {
        assertThat(Numbers.format(Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void theLongSetFindsRepeatsAcrossGrowth() {
        LongSet set = new LongSet();
        for (long i = 0; i < 10_000; i++) {
            assertThat(set.add(i * 7919)).isTrue();
        }
        for (long i = 0; i < 10_000; i++) {
            assertThat(set.add(i * 7919)).isFalse();
        }
        assertThat(set.add(Long.MIN_VALUE)).isTrue();
        assertThat(set.add(Long.MIN_VALUE)).isFalse();
        assertThat(set.size()).isEqualTo(10_001);
    }

    @Test
    void maxResultsGrowWithTheWrongFractionAndTheJob() {
        assertThat(Redundancy.maxResults(250_000, 2, 0)).isNull();
        assertThat(Redundancy.maxResults(250_000, 2, 1)).isNull();
        assertThat(Redundancy.maxResults(10, 2, 0.01)).isNull();
        Integer big = Redundancy.maxResults(250_000, 2, 0.2);
        assertThat(big).isBetween(12, 20);
        assertThat(250_000 * Redundancy.failure(big, 2, 0.8)).isLessThan(1e-3);
        assertThat(250_000 * Redundancy.failure(big - 1, 2, 0.8)).isGreaterThanOrEqualTo(1e-3);
        // the coordinator's default of 6 would fail about 0.16% of the work units
        assertThat(Redundancy.failure(6, 2, 0.8)).isBetween(0.0015, 0.0017);
    }

    @Test
    void problemDetailsAreShownWithTheirFieldErrors() {
        assertThat(CoordinatorApi.problem("{\"type\":\"about:blank\",\"status\":400,\"detail\":\"invalid job\","
                + "\"errors\":[{\"field\":\"params.workUnits\",\"message\":\"must be at most 10000000\"}]}"))
                .isEqualTo("invalid job [params.workUnits: must be at most 10000000]");
        assertThat(CoordinatorApi.problem("{\"detail\":\"params.workUnits: must be <= 10\","
                + "\"errors\":[{\"field\":\"params.workUnits\",\"message\":\"must be <= 10\"}]}"))
                .isEqualTo("params.workUnits: must be <= 10");
        assertThat(CoordinatorApi.problem("{\"detail\":\"no such job\"}")).isEqualTo("no such job");
        assertThat(CoordinatorApi.problem("<html>oops</html>")).isEqualTo("<html>oops</html>");
    }
}
