package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class TimeWindowsTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Zurich");

    @Test
    void aWindowIncludesItsStartAndExcludesItsEnd() {
        TimeWindows day = TimeWindows.parse("09:00-17:00");

        assertThat(day.contains(LocalTime.of(9, 0))).isTrue();
        assertThat(day.contains(LocalTime.of(16, 59))).isTrue();
        assertThat(day.contains(LocalTime.of(17, 0))).isFalse();
        assertThat(day.contains(LocalTime.of(8, 59))).isFalse();
    }

    @Test
    void aWindowMayRunPastMidnightAndSeveralMayBeGiven() {
        TimeWindows nights = TimeWindows.parse(" 22:00-06:00 , 12:00-13:00");

        assertThat(nights.contains(LocalTime.of(23, 30))).isTrue();
        assertThat(nights.contains(LocalTime.of(5, 59))).isTrue();
        assertThat(nights.contains(LocalTime.of(12, 30))).isTrue();
        assertThat(nights.contains(LocalTime.of(6, 0))).isFalse();
        assertThat(nights.contains(LocalTime.of(18, 0))).isFalse();
    }

    @Test
    void alwaysAndEqualEndsAreTheWholeDay() {
        assertThat(TimeWindows.parse("always").isAlways()).isTrue();
        assertThat(TimeWindows.parse("").isAlways()).isTrue();
        assertThat(TimeWindows.parse("08:00-08:00").contains(LocalTime.of(3, 0))).isTrue();
        assertThat(TimeWindows.always().nextChange(ZonedDateTime.now(ZONE))).isEmpty();
    }

    @Test
    void saysWhenItNextChanges() {
        TimeWindows day = TimeWindows.parse("09:00-17:00");
        ZonedDateTime morning = ZonedDateTime.of(2025, 3, 1, 8, 30, 15, 0, ZONE);

        assertThat(day.nextChange(morning)).contains(ZonedDateTime.of(2025, 3, 1, 9, 0, 0, 0, ZONE));
        assertThat(day.untilChange(morning)).isEqualTo(Duration.ofMinutes(29).plusSeconds(45));
        assertThat(day.nextChange(ZonedDateTime.of(2025, 3, 1, 17, 0, 0, 0, ZONE)))
                .contains(ZonedDateTime.of(2025, 3, 2, 9, 0, 0, 0, ZONE));
    }

    @Test
    void malformedWindowsSayHowToWriteThem() {
        for (String bad : new String[] {"evenings", "9-17", "09:00", "09:00-17:00-18:00", "25:00-26:00"}) {
            assertThatThrownBy(() -> TimeWindows.parse(bad)).as(bad)
                    .hasMessageContaining("is not a list of time windows; write for example 09:00-17:00");
        }
    }
}
