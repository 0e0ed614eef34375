package dev.starling.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FormatTest {
    private final MutableClock clock = new MutableClock();
    private final Format fmt = new Format(clock);

    @Test
    void countsAndSizes() {
        assertThat(fmt.count(1234567)).isEqualTo("1,234,567");
        assertThat(fmt.bytes(512)).isEqualTo("512 B");
        assertThat(fmt.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(fmt.bytes(64L << 20)).isEqualTo("64 MiB");
        assertThat(fmt.rate(4.25)).isEqualTo("4.3");
        assertThat(fmt.rate(1234.4)).isEqualTo("1,234");
    }

    @Test
    void percentagesAreNeverRoundedToDoneOrToNothing() {
        assertThat(fmt.percent(0)).isEqualTo("0%");
        assertThat(fmt.percent(0.0004)).isEqualTo("0.1%");
        assertThat(fmt.percent(0.425)).isEqualTo("42.5%");
        assertThat(fmt.percent(0.9999)).isEqualTo("99.9%");
        assertThat(fmt.percent(1)).isEqualTo("100%");
        assertThat(fmt.width(1.2)).isEqualTo("100.00%");
    }

    @Test
    void timesAreRelativeToTheCoordinatorsClock() {
        var then = clock.instant();
        assertThat(fmt.ago(then)).isEqualTo("just now");
        clock.advance(Duration.ofSeconds(42));
        assertThat(fmt.ago(then)).isEqualTo("42 s ago");
        clock.advance(Duration.ofSeconds(100));
        assertThat(fmt.ago(then)).isEqualTo("2 min 22 s ago");
        clock.advance(Duration.ofHours(3));
        assertThat(fmt.ago(then)).isEqualTo("3 h 2 min ago");
        assertThat(fmt.ago(null)).isEqualTo("never");
        assertThat(fmt.elapsed(then, then.plus(Duration.ofDays(3)))).isEqualTo("3 days");
        assertThat(fmt.time(then)).isEqualTo("2026-01-01 00:00:00 UTC");
    }
}
