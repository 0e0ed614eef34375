package dev.starling.coordinator.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.SecondCoordinator;
import dev.starling.swarm.Swarm;
import dev.starling.swarm.SwarmReport;
import dev.starling.swarm.SwarmReport.Check;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The load generator against real coordinators, at small numbers: a fifth of the hosts report wrong outputs,
 * and the swarm's own checks must all pass (every work unit validated once with the honest output, no work
 * unit twice to one host, every result judged once and credited exactly, no errors).
 */
class SwarmTest extends CoordinatorTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Autowired
    private Environment environment;

    @Test
    void wrongHostsNeverWinAQuorum() {
        SwarmReport report = Swarm.run(options().coordinators("localhost:" + grpcPort()).build());

        assertOk(report);
    }

    @Test
    void aSwarmSplitAcrossTwoCoordinatorsOnOneDatabase() {
        try (SecondCoordinator second = new SecondCoordinator(environment, Map.of())) {
            SwarmReport report = Swarm.run(options()
                    .coordinators("localhost:" + grpcPort() + ",localhost:" + second.grpcPort())
                    .api("http://localhost:" + httpPort + ",http://localhost:" + second.httpPort())
                    .build());

            assertOk(report);
        }
    }

    private Swarm.Builder options() {
        return Swarm.Options.builder()
                .api("http://localhost:" + httpPort)
                .apiKey(researcherKey("swarm"))
                .hosts(20)
                .cores(3)
                .warmup(Duration.ZERO)
                .duration(Duration.ofSeconds(1))
                .submit(600)
                .wrongFraction(0.2)
                .drainTimeout(Duration.ofMinutes(3))
                .progress(line -> {});
    }

    private static void assertOk(SwarmReport report) {
        assertThat(report.failures()).isEmpty();
        assertThat(report.checks()).extracting(Check::name)
                .contains(Check.JOB, Check.RESULT, Check.DUPLICATES, Check.CREDIT, Check.ERRORS);
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.verdict()).isEqualTo(Check.Verdict.OK));
    }
}
