package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Suspending and resuming on readings and a time of the test's own: one evaluation per second, as the worker does. */
class SuspendPolicyTest {
    private final Deque<OptionalDouble> cpuReadings = new ArrayDeque<>();
    private Instant lastInput;
    private ZonedDateTime now = ZonedDateTime.of(2025, 6, 2, 12, 0, 0, 0, ZoneOffset.UTC);

    private final CpuReadings cpu = () -> cpuReadings.isEmpty() ? OptionalDouble.empty() : cpuReadings.poll();
    private final UserActivity user = () -> Optional.ofNullable(lastInput);

    private SuspendPolicy idleOnly() {
        return new SuspendPolicy(TimeWindows.always(), true, 0.25, Duration.ofMinutes(3), 3, cpu, user);
    }

    /** One second passes and the policy is asked, with this much CPU used by others over that second. */
    private Optional<String> second(SuspendPolicy policy, double others) {
        now = now.plusSeconds(1);
        cpuReadings.add(OptionalDouble.of(others));
        return policy.evaluate(now);
    }

    @Test
    void suspendsAtTheFirstReadingAboveTheThresholdAndResumesAfterThreeQuietOnes() {
        SuspendPolicy policy = idleOnly();

        assertThat(second(policy, 0.10)).isEmpty();
        assertThat(second(policy, 0.24)).isEmpty();
        assertThat(second(policy, 0.60)).as("within the second the machine got busy")
                .hasValue("other programs use 60% of the CPU (more than 25%)");
        assertThat(second(policy, 0.05)).isPresent();
        assertThat(second(policy, 0.40)).as("busy again: the count starts over").isPresent();
        assertThat(second(policy, 0.05)).isPresent();
        assertThat(second(policy, 0.05)).isPresent();
        assertThat(second(policy, 0.05)).as("three quiet seconds in a row").isEmpty();
        assertThat(second(policy, 0.20)).isEmpty();
    }

    @Test
    void withoutAReadingTheStateStaysAsItWas() {
        SuspendPolicy policy = idleOnly();
        assertThat(second(policy, 0.9)).isPresent();

        now = now.plusSeconds(1);
        assertThat(policy.evaluate(now)).as("no reading this time").isPresent();
    }

    @Test
    void suspendsWhileTheUserIsActiveAndResumesIdleAfterTheirLastInput() {
        SuspendPolicy policy = idleOnly();
        lastInput = now.toInstant();

        assertThat(second(policy, 0.0)).hasValueSatisfying(r -> assertThat(r).startsWith("the computer is in use"));
        now = now.plus(Duration.ofMinutes(2)).plusSeconds(57);
        assertThat(second(policy, 0.0)).as("2 min 59 s after the last input").isPresent();
        assertThat(second(policy, 0.0)).as("3 min after").isEmpty();
    }

    @Test
    void aBusyMachineIsIgnoredWithoutIdleOnly() {
        SuspendPolicy policy = new SuspendPolicy(TimeWindows.always(), false, 0.25, Duration.ofMinutes(3), 3, cpu, user);
        lastInput = now.toInstant();

        assertThat(second(policy, 0.99)).isEmpty();
        assertThat(policy.mayEverSuspend()).isFalse();
    }

    @Test
    void outsideTheComputeHoursTasksAreSuspended() {
        SuspendPolicy policy = new SuspendPolicy(TimeWindows.parse("19:00-07:00"), false, 0.25, Duration.ofMinutes(3), 3,
                cpu, user);

        assertThat(policy.evaluate(now)).hasValue("outside the compute hours 19:00-07:00");
        assertThat(policy.evaluate(now.withHour(19))).isEmpty();
        assertThat(policy.evaluate(now.withHour(6).withMinute(59))).isEmpty();
        assertThat(policy.mayEverSuspend()).isTrue();
    }
}
