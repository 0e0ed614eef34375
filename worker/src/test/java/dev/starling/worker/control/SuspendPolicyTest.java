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

/**
 * Suspending and resuming, and the CPU limit in force, on readings and a time of the test's own: one evaluation per
 * second, as the worker does.
 */
class SuspendPolicyTest {
    private final Deque<OptionalDouble> cpuReadings = new ArrayDeque<>();
    private Instant lastInput;
    private OptionalDouble celsius = OptionalDouble.empty();
    private ZonedDateTime now = ZonedDateTime.of(2025, 6, 2, 12, 0, 0, 0, ZoneOffset.UTC);

    private final CpuReadings cpu = () -> cpuReadings.isEmpty() ? OptionalDouble.empty() : cpuReadings.poll();
    private final UserActivity user = () -> Optional.ofNullable(lastInput);
    private final CpuTemperature temperature = () -> new CpuTemperature.Reading(celsius, "coretemp: Package id 0");

    /** --idle-only at 25% busy CPU after {@code grace}, 3 min idle-after, limits 50 in use, 100 idle, 85 °C. */
    private static SuspendPolicy.Rules rules(boolean idleOnly, Duration grace) {
        return new SuspendPolicy.Rules(TimeWindows.always(), idleOnly, 0.25, grace, Duration.ofMinutes(3), 50, 100, 85);
    }

    private SuspendPolicy policy(SuspendPolicy.Rules rules) {
        return new SuspendPolicy(rules, 3, cpu, user, temperature);
    }

    private SuspendPolicy idleOnly() {
        return policy(rules(true, Duration.ZERO));
    }

    /** One second passes and the policy is asked, with this much CPU used by others over that second. */
    private SuspendPolicy.Verdict look(SuspendPolicy policy, double others) {
        now = now.plusSeconds(1);
        cpuReadings.add(OptionalDouble.of(others));
        return policy.evaluate(now);
    }

    private Optional<String> second(SuspendPolicy policy, double others) {
        return look(policy, others).suspend();
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
    void withAGracePeriodABurstShorterThanItSuspendsNothingAndALongerLoadDoes() {
        SuspendPolicy policy = policy(rules(true, Duration.ofSeconds(10)));

        for (int i = 0; i < 9; i++) {
            assertThat(second(policy, 0.90)).as("second %d of a burst", i + 1).isEmpty();
        }
        assertThat(second(policy, 0.10)).as("the burst ended before the grace period").isEmpty();
        for (int i = 0; i < 10; i++) {
            assertThat(second(policy, 0.90)).as("a new load starts the grace period over (second %d)", i + 1).isEmpty();
        }
        assertThat(second(policy, 0.90)).as("10 s above the threshold in a row")
                .hasValue("other programs use 90% of the CPU (more than 25%)");
        assertThat(second(policy, 0.10)).isPresent();
        assertThat(second(policy, 0.10)).isPresent();
        assertThat(second(policy, 0.10)).as("resumes after three quiet readings, as without a grace").isEmpty();
    }

    @Test
    void withoutAReadingTheStateStaysAsItWas() {
        SuspendPolicy policy = idleOnly();
        assertThat(second(policy, 0.9)).isPresent();

        now = now.plusSeconds(1);
        assertThat(policy.evaluate(now).suspend()).as("no reading this time").isPresent();
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
    void withoutIdleOnlyTheComputerInUseComputesAtTheInUseLimitAndAnIdleOneAtTheIdleLimit() {
        SuspendPolicy policy = policy(rules(false, Duration.ZERO));
        lastInput = now.toInstant();

        SuspendPolicy.Verdict typing = look(policy, 0.0);
        assertThat(typing.suspend()).isEmpty();
        assertThat(typing.cpuLimitPercent()).isEqualTo(50);
        assertThat(typing.inUse()).hasValue("keyboard or mouse 1 s ago");
        assertThat(typing.userSeen()).isTrue();

        now = now.plusMinutes(3);
        SuspendPolicy.Verdict away = look(policy, 0.0);
        assertThat(away.cpuLimitPercent()).as("3 min without input").isEqualTo(100);
        assertThat(away.inUse()).isEmpty();

        SuspendPolicy.Verdict busy = look(policy, 0.80);
        assertThat(busy.suspend()).as("a busy machine is no reason to suspend without --idle-only").isEmpty();
        assertThat(busy.cpuLimitPercent()).as("but it is in use").isEqualTo(50);
        assertThat(busy.inUse()).hasValue("other programs use 80% of the CPU (more than 25%)");
    }

    @Test
    void whereKeyboardAndMouseCannotBeSeenOtherProgramsLoadAloneTellsAndTheVerdictSaysSo() {
        SuspendPolicy policy = policy(rules(false, Duration.ofSeconds(2)));

        SuspendPolicy.Verdict quiet = look(policy, 0.0);
        assertThat(quiet.userSeen()).isFalse();
        assertThat(quiet.cpuLimitPercent()).isEqualTo(100);
        assertThat(look(policy, 0.5).cpuLimitPercent()).as("a burst within the grace period").isEqualTo(100);
        assertThat(look(policy, 0.5).cpuLimitPercent()).isEqualTo(100);
        assertThat(look(policy, 0.5).cpuLimitPercent()).as("busy for the grace period").isEqualTo(50);
    }

    @Test
    void aHotCpuPausesTasksUntilItHasCooledTenDegreesBelowTheLimit() {
        SuspendPolicy policy = policy(rules(false, Duration.ZERO));

        celsius = OptionalDouble.of(85.0);
        assertThat(second(policy, 0.0)).as("at the limit").isEmpty();
        celsius = OptionalDouble.of(86.0);
        assertThat(second(policy, 0.0)).hasValue("the CPU is at 86 °C, above --max-cpu-temp 85 °C (tasks go on below"
                + " 75 °C)");
        celsius = OptionalDouble.of(80.0);
        assertThat(second(policy, 0.0)).as("cooler, but not cool enough").isPresent();
        celsius = OptionalDouble.of(75.0);
        assertThat(second(policy, 0.0)).as("not below 75 yet").isPresent();
        celsius = OptionalDouble.of(74.5);
        SuspendPolicy.Verdict cooled = look(policy, 0.0);
        assertThat(cooled.suspend()).isEmpty();
        assertThat(cooled.temperature()).isEqualTo(new CpuTemperature.Reading(celsius, "coretemp: Package id 0"));
        celsius = OptionalDouble.of(84.0);
        assertThat(second(policy, 0.0)).as("warming up again below the limit").isEmpty();
    }

    @Test
    void withoutATemperatureOrWithTheLimitOffHeatPausesNothing() {
        SuspendPolicy policy = policy(rules(false, Duration.ZERO));
        celsius = OptionalDouble.of(99.0);
        assertThat(second(policy, 0.0)).isPresent();

        celsius = OptionalDouble.empty();
        assertThat(second(policy, 0.0)).as("the sensor went away: no reason to pause").isEmpty();

        SuspendPolicy off = policy(new SuspendPolicy.Rules(TimeWindows.always(), false, 0.25, Duration.ZERO,
                Duration.ofMinutes(3), 100, 100, 0));
        celsius = OptionalDouble.of(105.0);
        assertThat(second(off, 0.0)).isEmpty();
    }

    @Test
    void aBusyMachineIsNoReasonToSuspendWithoutIdleOnly() {
        SuspendPolicy policy = policy(rules(false, Duration.ZERO));
        lastInput = now.toInstant();

        assertThat(second(policy, 0.99)).isEmpty();
    }

    @Test
    void outsideTheComputeHoursTasksAreSuspended() {
        SuspendPolicy policy = policy(new SuspendPolicy.Rules(TimeWindows.parse("19:00-07:00"), false, 0.25,
                Duration.ZERO, Duration.ofMinutes(3), 100, 100, 85));
        celsius = OptionalDouble.of(99.0);

        assertThat(policy.evaluate(now).suspend()).as("the hours come first")
                .hasValue("outside the compute hours 19:00-07:00");
        celsius = OptionalDouble.of(50.0);
        assertThat(policy.evaluate(now.withHour(19)).suspend()).isEmpty();
        assertThat(policy.evaluate(now.withHour(6).withMinute(59)).suspend()).isEmpty();
    }
}
