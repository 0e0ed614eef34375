package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static dev.starling.worker.testing.Eventually.untilAsserted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.TaskResult;
import dev.starling.sdk.ContentAddress;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.session.ProtocolTooOldException;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.Gates;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerFixture;
import dev.starling.worker.testing.WorkerHarness;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The worker against a fake coordinator on a real loopback gRPC server. */
class WorkerTest {
    @TempDir
    Path workDir;

    @RegisterExtension
    final WorkerFixture fixture = new WorkerFixture(() -> workDir);
    private FakeCoordinator coordinator = fixture.coordinator();
    private final Gates gates = fixture.gates();

    @Test
    void registersStoresItsIdentityAndComesBackAsTheSameHostAfterARestart() throws Exception {
        WorkerHarness first = fixture.start(worker -> worker.cores(3));
        until(() -> coordinator.registered().size() == 1);
        first.stop();
        RegisterRequest firstRequest = coordinator.registrations().get(0);
        assertThat(firstRequest.getProtocolVersion()).isEqualTo(1);
        assertThat(firstRequest.getName()).isEqualTo("test-host");
        assertThat(firstRequest.getCores()).isEqualTo(3);
        assertThat(firstRequest.getAppsList()).containsExactly(TestApp.NAME);
        assertThat(firstRequest.getOs()).isNotBlank();
        assertThat(firstRequest.getArch()).isNotBlank();
        assertThat(firstRequest.getMemoryBytes()).isPositive();
        assertThat(firstRequest.getWorkerVersion()).isNotBlank();
        assertThat(firstRequest.getHostId()).isZero();
        long hostId = coordinator.registered().get(0).getHostId();
        String token = coordinator.registered().get(0).getHostToken();
        Path file = workDir.resolve("host.properties");
        assertThat(Files.readString(file)).contains("host.id=" + hostId);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }

        WorkerHarness second = fixture.start();
        until(() -> coordinator.registered().size() == 2);
        second.stop();
        RegisterRequest again = coordinator.registrations().get(1);
        assertThat(again.getHostId()).isEqualTo(hostId);
        assertThat(again.getHostToken()).isEqualTo(token);
        assertThat(coordinator.registered().get(1).getHostId()).isEqualTo(hostId);
    }

    @Test
    void aHostThatRegisteredBeforeSpreadsItsFirstCallOverTheStartSpreadAFirstStartCallsAtOnce() {
        Duration spread = Duration.ofSeconds(10);
        assertThat(Worker.startDelay(spread, false, new SplittableRandom(1))).isZero();
        assertThat(Worker.startDelay(Duration.ZERO, true, new SplittableRandom(1))).isZero();

        // a fleet started together: every delay within the spread, and the calls spread over the whole of it
        SplittableRandom random = new SplittableRandom(7);
        List<Duration> delays = IntStream.range(0, 1_000).mapToObj(i -> Worker.startDelay(spread, true, random))
                .toList();
        assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, spread));
        for (int tenth = 0; tenth < 10; tenth++) {
            Duration from = spread.multipliedBy(tenth).dividedBy(10);
            Duration to = spread.multipliedBy(tenth + 1).dividedBy(10);
            assertThat(delays).as("calls in tenth %d of the spread", tenth)
                    .filteredOn(d -> d.compareTo(from) >= 0 && d.compareTo(to) < 0).hasSizeGreaterThan(50);
        }
    }

    @Test
    void registersAsANewHostWhenTheCoordinatorNoLongerKnowsIt() throws Exception {
        fixture.start();
        until(() -> coordinator.registered().size() == 1);
        long oldId = coordinator.registered().get(0).getHostId();
        coordinator.forgetHosts();

        until(() -> coordinator.registered().size() == 2);
        long newId = coordinator.registered().get(1).getHostId();
        assertThat(newId).isNotEqualTo(oldId);
        // it sends the refused identity back (a host whose token was revoked comes back as itself); this one is unknown
        assertThat(coordinator.registrations().get(1).getHostId()).isEqualTo(oldId);
        assertThat(coordinator.registrations().get(1).getHostToken())
                .isEqualTo(coordinator.registered().get(0).getHostToken());
        untilAsserted(() -> assertThat(Files.readString(workDir.resolve("host.properties"))).contains("host.id=" + newId));

        long task = coordinator.offer("echo:still working");
        until(() -> coordinator.accepted().containsKey(task));
    }

    @Test
    void retriesRegistrationWhileTheCoordinatorIsUnavailable() throws Exception {
        coordinator.failNextRegistrations(3);
        WorkerHarness w = fixture.start();
        until(() -> coordinator.registered().size() == 1);
        w.stop();
        assertThat(coordinator.registrations()).hasSize(4);
    }

    @Test
    void computesTasksAndReportsOutputsWithTheirHashes() throws Exception {
        WorkerHarness w = fixture.start();
        long echo = coordinator.offer("echo:hello");
        long failing = coordinator.offer("fail:division by zero");
        long unknown = coordinator.offer("no-such-app", "x");
        until(() -> coordinator.accepted().keySet().containsAll(List.of(echo, failing, unknown)));

        TaskResult ok = coordinator.accepted().get(echo);
        assertThat(ok.getSuccess().getOutput().toStringUtf8()).isEqualTo("hello");
        assertThat(ok.getSuccess().getOutputHash()).isEqualTo(ContentAddress.of("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(ok.getSuccess().getOutputSize()).isEqualTo(5);
        assertThat(coordinator.accepted().get(failing).getFailure())
                .isEqualTo(Failure.newBuilder().setKind(Failure.Kind.COMPUTE_ERROR).setMessage("division by zero").build());
        assertThat(coordinator.accepted().get(unknown).getFailure().getMessage())
                .isEqualTo("app no-such-app is not installed on this worker");
        w.stop();
        String token = coordinator.registered().get(0).getHostToken();
        assertThat(coordinator.calls()).allSatisfy(call -> assertThat(call.protocol()).isEqualTo("1"));
        assertThat(coordinator.calls()).filteredOn(call -> !call.method().equals("Register"))
                .isNotEmpty()
                .allSatisfy(call -> assertThat(call.authorization()).isEqualTo("Bearer " + token));
    }

    @Test
    void anOutputOverTheInlineLimitIsAComputeError() throws Exception {
        long fits;
        long tooBig;
        WorkerHarness w = fixture.start(worker -> worker.tuning(WorkerHarness.fastTuning().toBuilder().maxOutputBytes(1024).build()));
        fits = coordinator.offer("big:1024");
        tooBig = coordinator.offer("big:1025");
        until(() -> coordinator.accepted().keySet().containsAll(List.of(fits, tooBig)));
        w.stop();
        assertThat(coordinator.accepted().get(fits).getSuccess().getOutputSize()).isEqualTo(1024);
        assertThat(coordinator.accepted().get(tooBig).getFailure()).isEqualTo(Failure.newBuilder()
                .setKind(Failure.Kind.COMPUTE_ERROR)
                .setMessage("the output is larger than the 1 KiB a worker may report inline")
                .build());
    }

    @Test
    void keepsResultsWhileReportingFailsAndSendsThemAgainUntilAcknowledged() throws Exception {
        coordinator.failReports(Status.UNAVAILABLE.withDescription("database restarting"));
        fixture.start();
        long task = coordinator.offer("echo:patience");
        until(() -> coordinator.reportCalls().stream()
                .filter(r -> r.getResultsList().stream().anyMatch(x -> x.getResultId() == task))
                .count() >= 3);
        assertThat(coordinator.accepted()).isEmpty();

        coordinator.failReports(null);
        until(() -> coordinator.accepted().containsKey(task));
        assertThat(coordinator.accepted().get(task).getSuccess().getOutput().toStringUtf8()).isEqualTo("patience");
    }

    @Test
    void heartbeatsCarryProgressAndAbandonTheTasksTheCoordinatorCancels() throws Exception {
        fixture.start(worker -> worker.cores(1));
        long blocked = coordinator.offer("block:a");
        until(() -> gates.hasStarted("a"));
        until(() -> coordinator.heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .anyMatch(p -> p.getResultId() == blocked && p.getFractionDone() == 0.5));

        coordinator.abandonOnNextHeartbeat(blocked);
        until(() -> gates.wasCancelled("a"));
        // one core: the next task can only run once the abandoned one gave its slot back
        long next = coordinator.offer("echo:next");
        until(() -> coordinator.accepted().containsKey(next));
        assertThat(coordinator.wasEverReported(blocked)).isFalse();
    }

    @Test
    void abandonsTheTasksARequestWorkAnswerCancels() throws Exception {
        fixture.start(worker -> worker.cores(2));
        long blocked = coordinator.offer("block:b");
        until(() -> gates.hasStarted("b"));
        coordinator.abandonOnNextPoll(blocked);
        until(() -> gates.wasCancelled("b"));
        long next = coordinator.offer("echo:after");
        until(() -> coordinator.accepted().containsKey(next));
        assertThat(coordinator.wasEverReported(blocked)).isFalse();
    }

    @Test
    void letsRunningTasksFinishWithinTheGracePeriodWhenStopping() throws Exception {
        coordinator = fixture.useCoordinator(new FakeCoordinator(50, 60_000)); // polls wait until they are cancelled
        WorkerHarness w = fixture.start(worker -> worker.cores(2).gracePeriod(Duration.ofSeconds(30)));
        long task = coordinator.offer("gate:d:finished");
        until(() -> gates.hasStarted("d") && coordinator.activePolls() == 1);

        w.worker().requestStop();
        until(() -> coordinator.cancelledPolls() == 1); // it stopped pulling work, the task still runs
        gates.open("d");
        w.ended().join();

        assertThat(coordinator.accepted().get(task).getSuccess().getOutput().toStringUtf8()).isEqualTo("finished");
    }

    @Test
    void givesBackTheTasksStillRunningWhenTheGracePeriodEnds() throws Exception {
        WorkerHarness w = fixture.start(worker -> worker.cores(2).gracePeriod(Duration.ofMillis(50)));
        long first = coordinator.offer("block:e");
        long second = coordinator.offer("block:f");
        until(() -> gates.hasStarted("e") && gates.hasStarted("f"));

        w.stop();

        assertThat(coordinator.accepted()).containsOnlyKeys(first, second);
        assertThat(coordinator.accepted().values()).allSatisfy(r -> {
            assertThat(r.getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
            assertThat(r.getFailure().getMessage()).isEqualTo("the worker is shutting down");
        });
        until(() -> gates.wasCancelled("e") && gates.wasCancelled("f"));
    }

    @Test
    void theWrongOutputFaultReportsAnotherOutputWithAMatchingHash() throws Exception {
        fixture.start(worker -> worker.fault(Fault.WRONG_OUTPUT));
        long task = coordinator.offer("echo:42");
        until(() -> coordinator.accepted().containsKey(task));

        TaskResult result = coordinator.accepted().get(task);
        byte[] output = result.getSuccess().getOutput().toByteArray();
        assertThat(new String(output, StandardCharsets.UTF_8)).isNotEqualTo("42").hasSize(2);
        assertThat(result.getSuccess().getOutputHash())
                .isEqualTo(ContentAddress.of(output))
                .isNotEqualTo(ContentAddress.of("42".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void stopsWhenTheCoordinatorRefusesItsProtocol() throws Exception {
        WorkerHarness w = fixture.start();
        until(() -> coordinator.registered().size() == 1);
        coordinator.refuseProtocol("protocol 1 is no longer supported; please update the worker");

        assertThatThrownBy(() -> w.ended().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(ProtocolTooOldException.class)
                .hasMessage("protocol 1 is no longer supported; please update the worker");
    }
}
