package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.proto.v1.HostControl;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.control.CpuTemperature;
import dev.starling.worker.control.Sensors;
import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.MutableClock;
import dev.starling.worker.testing.WorkerFixture;
import dev.starling.worker.testing.WorkerHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker sharing the machine, with readings the test sets: a busy machine suspends running tasks (paused in
 * the calls they make between steps, heartbeating as suspended) and an idle one resumes them; a suspended worker
 * asks for no work; a hot CPU pauses tasks until it has cooled; the CPU limit follows the computer in use or idle; no
 * task starts while tasks fill the memory limit; nothing is transferred outside the network hours.
 */
class ControlWorkerTest {
    @TempDir
    Path workDir;

    @RegisterExtension
    final WorkerFixture fixture = new WorkerFixture(() -> workDir);
    private final FakeCoordinator coordinator = fixture.coordinator();
    private final Gates gates = fixture.gates();
    private final AtomicReference<OptionalDouble> othersCpu = new AtomicReference<>(OptionalDouble.of(0.0));
    private final AtomicLong heapInUse = new AtomicLong();
    private final AtomicReference<OptionalDouble> celsius = new AtomicReference<>(OptionalDouble.empty());
    private final AtomicReference<Instant> lastInput = new AtomicReference<>();
    private final Sensors sensors = new Sensors(() -> othersCpu.get(), () -> Optional.ofNullable(lastInput.get()),
            heapInUse::get, () -> new CpuTemperature.Reading(celsius.get(), "k10temp: Tctl"));

    /** One core, the test's readings of the machine, and {@code preferences}. */
    private WorkerHarness.Builder worker(Preferences preferences) {
        return fixture.worker().sensors(sensors).cores(1).preferences(preferences);
    }

    private List<TaskProgress> beatsOf(long resultId) {
        return coordinator.heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == resultId).toList();
    }

    /** Whether some task thread waits in the compute gate right now. */
    private static boolean aTaskWaitsIn(String method) {
        return aThreadWaitsIn("starling-task", method);
    }

    /** Whether a thread whose name starts with {@code threadPrefix} is in {@code method} right now. */
    private static boolean aThreadWaitsIn(String threadPrefix, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(threadPrefix))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals(method)));
    }

    @Test
    void aBusyMachineSuspendsTheRunningTaskWhichHeartbeatsAsSuspendedAndResumesWhenItIsIdleAgain() {
        fixture.start(worker(Preferences.builder().idleOnly(true).busyGrace(Duration.ZERO).build()));
        long id = coordinator.offer("spin:s:done");
        until(() -> gates.hasStarted("s"));

        othersCpu.set(OptionalDouble.of(0.9));

        until(() -> aTaskWaitsIn("awaitComputing"));
        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended));
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        othersCpu.set(OptionalDouble.of(0.0));
        gates.open("s");

        until(() -> coordinator.accepted().containsKey(id));
        assertThat(coordinator.accepted().get(id).getSuccess().getOutput().toStringUtf8()).isEqualTo("done");
    }

    @Test
    void aPauseOnTheWebSuspendsTheRunningTaskAndAResumeLetsItFinish() {
        fixture.start(worker(Preferences.defaults()));
        long id = coordinator.offer("spin:p:done");
        until(() -> gates.hasStarted("p"));

        coordinator.control(HostControl.newBuilder().setPaused(true).build());

        until(() -> aTaskWaitsIn("awaitComputing"));
        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended));
        gates.open("p");
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        coordinator.control(HostControl.getDefaultInstance());

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void anIdlePausedWorkerKeepsAskingForNoTaskToHearTheResume() {
        coordinator.control(HostControl.newBuilder().setPaused(true).build());
        fixture.start(worker(Preferences.defaults()));
        long id = coordinator.offer("echo:after the pause");

        until(() -> coordinator.workRequests().stream().anyMatch(r -> r.getMaxTasks() == 0));
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        coordinator.control(HostControl.getDefaultInstance());

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void theAccountsComputeHoursSuspendTheRunningTaskUnlessTheMachineSetsItsOwn() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T12:00:00Z"));
        fixture.start(worker(Preferences.defaults()).clock(clock));
        long id = coordinator.offer("spin:a:done");
        until(() -> gates.hasStarted("a"));

        coordinator.control(HostControl.newBuilder().putPreferences("computeHours", "19:00-07:00")
                .putPreferences("brightness", "11").setVenue("home").build());

        until(() -> aTaskWaitsIn("awaitComputing"));
        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended));
        assertThat(workDir.resolve("account.properties")).content().contains("computeHours=19\\:00-07\\:00");
        gates.open("a");

        coordinator.control(HostControl.getDefaultInstance()); // the account sets nothing any more

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void aTaskWaitsToStartWhileTasksFillTheMemoryLimit() {
        heapInUse.set(2L << 30);
        fixture.start(worker(Preferences.builder().memoryLimitBytes(1L << 30).workBuffer(Duration.ZERO).build()));
        long id = coordinator.offer("echo:started");

        until(() -> aTaskWaitsIn("awaitStart"));
        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended));
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        heapInUse.set(100L << 20);

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void nothingIsTransferredOutsideTheNetworkHours() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T12:00:00Z"));
        fixture.start(worker(Preferences.builder().networkHours(TimeWindows.parse("13:00-14:00")).build())
                .clock(clock));
        long id = coordinator.offer("echo:later");
        until(() -> coordinator.registered().size() == 1);

        assertThat(coordinator.calls()).noneMatch(c -> c.method().endsWith("RequestWork"));

        clock.advance(Duration.ofHours(1));

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void outsideTheComputeHoursTheWorkerAsksForNoWorkAndTakesItWhenTheHoursBegin() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T12:00:00Z"));
        fixture.start(worker(Preferences.builder().computeHours(TimeWindows.parse("19:00-07:00")).build())
                .clock(clock));
        long id = coordinator.offer("echo:in the evening");

        until(() -> aThreadWaitsIn("starling-poll", "pauseOrStop") && !coordinator.registered().isEmpty());
        assertThat(coordinator.workRequests()).as("a task taken now would wait until 19:00, past its lease").isEmpty();

        clock.advance(Duration.ofHours(7));

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void tasksHeldWhenTheComputeHoursEndWaitAndHeartbeatAsSuspended() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T06:00:00Z"));
        fixture.start(worker(Preferences.builder().computeHours(TimeWindows.parse("19:00-07:00")).build())
                .clock(clock));
        long id = coordinator.offer("spin:dawn:done");
        until(() -> beatsOf(id).stream().anyMatch(p -> !p.getSuspended()));

        clock.advance(Duration.ofHours(2));

        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended) && aTaskWaitsIn("awaitComputing"));
        gates.open("dawn"); // seen once the task may compute again
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        clock.advance(Duration.ofHours(11));

        until(() -> coordinator.accepted().containsKey(id));
    }

    @Test
    void aHotCpuPausesTheRunningTaskWhichGoesOnOnceTheCpuHasCooledTenDegreesBelowTheLimit() {
        celsius.set(OptionalDouble.of(60));
        WorkerHarness worker = fixture.start(worker(Preferences.builder().maxCpuTempCelsius(80).build()));
        long id = coordinator.offer("spin:hot:done");
        until(() -> gates.hasStarted("hot"));

        celsius.set(OptionalDouble.of(81));

        until(() -> aTaskWaitsIn("awaitComputing"));
        until(() -> beatsOf(id).stream().anyMatch(TaskProgress::getSuspended));
        assertThat(worker.worker().status().suspended()).hasValue("the CPU is at 81 °C, above --max-cpu-temp 80 °C"
                + " (tasks go on below 70 °C)");
        gates.open("hot"); // seen once the task may compute again

        celsius.set(OptionalDouble.of(75));
        until(() -> worker.worker().status().machine().celsius() == 75.0);
        assertThat(worker.worker().status().suspended()).as("cooler, not cool enough").isPresent();
        assertThat(coordinator.accepted()).doesNotContainKey(id);

        celsius.set(OptionalDouble.of(69));

        until(() -> coordinator.accepted().containsKey(id));
        assertThat(worker.worker().status().machine().temperatureSource()).isEqualTo("k10temp: Tctl");
    }

    @Test
    void theCpuLimitInForceIsTheInUseOneWhileSomeoneTypesAndTheIdleOneAfter() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T12:00:00Z"));
        lastInput.set(clock.instant());
        WorkerHarness worker = fixture.start(worker(Preferences.builder().cpuLimitPercent(40).cpuLimitIdlePercent(90)
                .idleAfter(Duration.ofMinutes(1)).build()).clock(clock));

        until(() -> worker.worker().status().cpuLimitPercent() == 40);
        assertThat(worker.worker().status().machine().inUse()).hasValueSatisfying(
                why -> assertThat(why).startsWith("keyboard or mouse"));
        assertThat(worker.worker().status().machine().userSeen()).isTrue();

        clock.advance(Duration.ofMinutes(1));

        until(() -> worker.worker().status().cpuLimitPercent() == 90);
        assertThat(worker.worker().status().machine().inUse()).isEmpty();
        assertThat(worker.worker().status().suspended()).isEmpty();
    }
}
