package dev.starling.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.swarm.SwarmReport.Check;
import dev.starling.swarm.SwarmReport.Figures;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SwarmReportTest {
    static Figures figures(double validated) {
        return new Figures(validated, 2003.46, 1.04, 12.95, 40.0, 2.0, 30.25, 80.0, 1000, 1000, 60.012, 120_000,
                120_208, 0);
    }

    @Test
    void theSwarmLineHasEveryFigureWithAtMostOneDecimal() {
        assertThat(figures(1001.66).swarmLine()).isEqualTo("SWARM validated_wu_per_s=1001.7 results_per_s=2003.5"
                + " request_work_p50_ms=1 request_work_p99_ms=13 report_p99_ms=30.3 hosts=1000 duration_s=60 errors=0");
    }

    @Test
    void anUnmeasuredFigureIsNotANumber() {
        assertThat(figures(Double.NaN).swarmLine()).startsWith("SWARM validated_wu_per_s=n/a results_per_s=2003.5 ");
    }

    @Test
    void aFailedCheckOrAnErrorMakesTheRunFail() {
        SwarmReport fine = new SwarmReport(figures(1), OptionalLong.of(1), List.of(Check.ok(Check.JOB, "fine"),
                Check.skipped(Check.CREDIT, "why")), Map.of(), 0);
        SwarmReport failed = new SwarmReport(figures(1), OptionalLong.of(1), List.of(Check.failed(Check.JOB, "bad")),
                Map.of(), 0);
        SwarmReport errors = new SwarmReport(figures(1), OptionalLong.empty(), List.of(), Map.of("UNAVAILABLE", 3L), 1);

        assertThat(fine.ok()).isTrue();
        assertThat(failed.ok()).isFalse();
        assertThat(failed.failures()).containsExactly("bad");
        assertThat(errors.ok()).isFalse();
        assertThat(errors.failures()).singleElement().asString().contains("3 errors", "UNAVAILABLE", "1 REJECTED");
    }

    @Test
    void checkLinesSayOkFailedOrSkipped() {
        assertThat(Check.ok(Check.JOB, "a").line()).isEqualTo("CHECK ok: a");
        assertThat(Check.failed(Check.JOB, "b").line()).isEqualTo("CHECK FAILED: b");
        assertThat(Check.skipped(Check.JOB, "c").line()).isEqualTo("CHECK skipped: c");
    }
}
