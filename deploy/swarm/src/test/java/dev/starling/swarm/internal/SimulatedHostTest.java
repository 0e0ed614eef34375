package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.proto.v1.TaskResult;
import dev.starling.samples.checksum.ChecksumApp;
import dev.starling.sdk.ContentAddress;
import dev.starling.swarm.Endpoint;
import dev.starling.swarm.Swarm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Simulated hosts against a fake coordinator on a real socket: the protocol as a worker speaks it, and the tallies. */
class SimulatedHostTest {
    private FakeCoordinator fake;
    private Channels channels;
    private HostContext context;
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** a result whose first report the fake stores but answers UNAVAILABLE */
    private Long loseAnswerOf;
    private Duration taskTime = Duration.ZERO;
    /** results the fake's heartbeat answers tell the host to abandon */
    private final List<Long> abandon = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (context != null) {
            context.stop();
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
        if (channels != null) {
            channels.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    /** Register calls the fake answers busy first. */
    private int busyRegistrations;

    private List<HostTally> start(int workUnits, int hosts, boolean... wrong) throws Exception {
        fake = new FakeCoordinator(workUnits);
        fake.busyRegistrations.set(busyRegistrations);
        fake.heartbeatMillis = 50;
        fake.abandon.addAll(abandon);
        if (loseAnswerOf != null) {
            fake.loseAnswerOnce(loseAnswerOf);
        }
        Swarm.Options options = Swarm.Options.builder()
                .coordinators(List.of(new Endpoint("localhost", fake.port())))
                .hosts(hosts).cores(3).taskTime(taskTime).progress(notes::add).build();
        context = new HostContext(options, new Metrics(), FakeCoordinator.JOB, null);
        channels = new Channels(options.coordinators(), hosts, 0);
        List<HostTally> tallies = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            HostTally tally = new HostTally(i, i < wrong.length && wrong[i]);
            tallies.add(tally);
            threads.add(Thread.ofVirtual().start(new SimulatedHost(context, tally, channels.forHost(i))));
        }
        return tallies;
    }

    /** Stops the hosts and waits for their threads, after which their tallies may be read. */
    private void stopHosts() throws InterruptedException {
        context.stop();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
    }

    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void hostsComputeEveryTaskHonestlyOrWronglyAndReportIt() throws Exception {
        List<HostTally> tallies = start(20, 3, false, true, false);

        eventually(() -> fake.stored.size() == 40);

        for (Map.Entry<Long, TaskResult> e : fake.stored.entrySet()) {
            TaskResult r = e.getValue();
            long index = fake.task(e.getKey()).getIndex();
            byte[] output = r.getSuccess().getOutput().toByteArray();
            long host = fake.storedBy.get(e.getKey());
            HostTally tally = tallies.stream().filter(t -> t.hostId == host).findFirst().orElseThrow();
            assertThat(r.getSuccess().getOutputHash()).isEqualTo(ContentAddress.of(output));
            assertThat(r.getSuccess().getOutputSize()).isEqualTo(output.length);
            if (tally.wrong) {
                assertThat(output).isNotEqualTo(ChecksumApp.output(index, 1));
            } else {
                assertThat(output).isEqualTo(ChecksumApp.output(index, 1));
            }
        }
        assertThat(fake.workRequests).allSatisfy(r -> {
            assertThat(r.getMaxTasks()).isEqualTo(3);
            assertThat(r.getWaitMillis()).isEqualTo(20_000);
        });
    }

    @Test
    void busyAnswersAreRetriedAfterTheirHintAndCountedApartFromErrors() throws Exception {
        busyRegistrations = 5;
        start(6, 2);

        eventually(() -> fake.stored.size() == 12);

        assertThat(context.metrics.busyByCall()).containsEntry("Register", 5L);
        assertThat(context.metrics.errorsByStatus()).isEmpty();
        assertThat(context.metrics.allRegisteredAt).isPositive();
        assertThat(context.metrics.allWorkingAt).isPositive();
    }

    @Test
    void everyCallSpeaksProtocolOneAndAllButRegisterCarryTheHostsToken() throws Exception {
        List<HostTally> tallies = start(5, 2);
        eventually(() -> fake.stored.size() == 10);

        assertThat(fake.calls).allSatisfy(c -> assertThat(c.protocol()).isEqualTo("1"));
        assertThat(fake.calls).filteredOn(c -> c.method().equals("Register")).hasSize(2)
                .allSatisfy(c -> assertThat(c.authorization()).isNull());
        assertThat(fake.calls).filteredOn(c -> !c.method().equals("Register"))
                .allSatisfy(c -> assertThat(c.authorization()).isIn(
                        "Bearer token-" + tallies.get(0).hostId, "Bearer token-" + tallies.get(1).hostId));
    }

    @Test
    void aResultStoredButWhoseAnswerWasLostIsCountedOnceAfterTheRetry() throws Exception {
        loseAnswerOf = 1000L;
        List<HostTally> tallies = start(4, 2);

        eventually(() -> fake.stored.size() == 8);
        eventually(() -> context.metrics.resultsAccepted.sum() == 8);
        stopHosts();

        assertThat(tallies.stream().mapToLong(t -> t.storedResults).sum()).isEqualTo(8);
        assertThat(context.metrics.alreadyReported.sum()).isPositive();
        assertThat(context.metrics.alreadyReportedFirstTime.sum()).isZero();
        assertThat(context.metrics.errorsByStatus()).containsEntry("UNAVAILABLE", 1L);
    }

    @Test
    void noHostGetsAWorkUnitTwiceAndTheTalliesSaySo() throws Exception {
        List<HostTally> tallies = start(30, 4);
        eventually(() -> fake.stored.size() == 60);
        eventually(() -> context.metrics.resultsAccepted.sum() == 60);
        stopHosts();

        assertThat(tallies).allSatisfy(t -> assertThat(t.duplicateWorkUnits).isZero());
        assertThat(tallies.stream().mapToLong(t -> t.tasksReceived).sum()).isEqualTo(60);
        assertThat(tallies.stream().mapToLong(t -> t.storedResults).sum()).isEqualTo(60);
    }

    @Test
    void stoppingCancelsTheWaitingLongPolls() throws Exception {
        start(2, 3);
        eventually(() -> fake.stored.size() == 4 && fake.heldPolls.size() == 3);

        stopHosts();

        assertThat(threads).noneMatch(Thread::isAlive);
        eventually(() -> fake.heldPolls.isEmpty());
        assertThat(fake.cancelledPolls.get()).isGreaterThanOrEqualTo(3);
        assertThat(context.metrics.errorCount()).as("the swarm's own cancellation is no error").isZero();
    }

    @Test
    void longTasksAreHeartbeatenAndAbandonedOnesAreNotReported() throws Exception {
        taskTime = Duration.ofMillis(400);
        abandon.add(1000L);
        List<HostTally> tallies = start(3, 1);

        eventually(() -> fake.stored.size() == 2);
        eventually(() -> context.metrics.abandoned.sum() == 1 && context.metrics.resultsAccepted.sum() == 2);
        stopHosts();

        assertThat(fake.heartbeats).isNotEmpty();
        assertThat(fake.heartbeats).allSatisfy(h -> assertThat(h.getTasksList()).allSatisfy(p -> {
            assertThat(p.getFractionDone()).isBetween(0.0, 1.0);
        }));
        assertThat(fake.stored).doesNotContainKey(1000L).containsKeys(1002L, 1004L);
        assertThat(tallies.getFirst().storedResults).isEqualTo(2);
    }
}
