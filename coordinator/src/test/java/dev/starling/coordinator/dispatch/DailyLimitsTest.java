package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Daily task limits, the give-back cap and the parking cap over real gRPC and PostgreSQL, with small limits: a host
 * may take 4 tasks a day to start with, each valid result adds 1, an error halves it; a volunteer's hosts 6
 * together; 2 give-backs a day; 1 task parked.
 */
class DailyLimitsTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.trust.daily-tasks", () -> "4");
        registry.add("starling.trust.daily-tasks-per-valid", () -> "1");
        registry.add("starling.trust.daily-tasks-least", () -> "1");
        registry.add("starling.trust.volunteer-daily-tasks", () -> "6");
        registry.add("starling.trust.give-backs-per-day", () -> "2");
        registry.add("starling.trust.max-parked", () -> "1");
        registry.add("starling.adaptive-replication.enabled", () -> "false");
        registry.add("starling.spot-checks.rate", () -> "0");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** A primes job of {@code units} work units, quorum 1: each result is validated by itself. */
    private long job(int units) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":1}}");
        await().until(() -> api().job(id).get("workUnits").get("total").asLong() == units
                && api().job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    private Integer dailyTasks(TestHost host) {
        return jdbc.sql("SELECT daily_tasks FROM host WHERE id = :h").param("h", host.id()).query(Integer.class)
                .single();
    }

    /** Past the minute a host found over its limit is refused without reading its counts again. */
    private void aMinuteLater() {
        clock.advance(Duration.ofSeconds(61));
    }

    @Test
    void aHostOverItsDailyLimitGetsNothingItsValidResultsGrowItAndAnErrorCutsIt() {
        TestHost host = volunteerHost("limited", "primes");
        job(30);

        List<Task> first = host.drain();
        assertThat(first).as("a new host's day").hasSize(4);
        first.forEach(t -> host.succeed(t, "ok"));
        await().until(() -> Integer.valueOf(8).equals(dailyTasks(host)));
        RequestWorkResponse refused = host.poll(64);
        assertThat(refused.getTasksList()).as("refused a moment ago: not asked again for a minute").isEmpty();
        assertThat(refused.getNoWork().getReason()).as("and told why").isEqualTo(NoWork.Reason.DAILY_LIMIT);
        assertThat(refused.getNoWork().getMessage()).contains("daily task limit");

        aMinuteLater();
        List<Task> second = host.drain();
        assertThat(second).as("4 valid results: 4 more").hasSize(4);
        host.fail(second.get(0), Failure.Kind.COMPUTE_ERROR, "out of cheese");
        second.subList(1, 4).forEach(t -> host.succeed(t, "ok"));
        await().until(() -> Integer.valueOf(8 / 2 + 3).equals(dailyTasks(host)));
        aMinuteLater();
        assertThat(host.requestWork(64)).as("8 taken today, 7 allowed").isEmpty();

        clock.advance(Duration.ofDays(1));
        assertThat(host.drain()).as("a new day").hasSize(7);
    }

    @Test
    void aVolunteersHostsShareTheVolunteersDailyLimit() {
        String account = signUp("many-hosts");
        TestHost one = closedAfterTest(TestHost.registered(grpcPort(), account, "one", "primes"));
        TestHost two = closedAfterTest(TestHost.registered(grpcPort(), account, "two", "primes"));
        TestHost other = volunteerHost("someone-else", "primes");
        job(20);

        assertThat(one.drain()).hasSize(4);
        assertThat(two.drain()).as("6 for the volunteer's hosts together").hasSize(2);
        assertThat(other.drain()).as("another volunteer's host is not held back").hasSize(4);
    }

    /**
     * Three hosts of one volunteer asking in one claim batch share what the volunteer has left: 6, given as 4 (the
     * first host's own limit), 2 and nothing, and the one left empty is told why. The batch is made certain by
     * holding the claim before it: a host of another volunteer claims first, and its claim waits, before it commits, on
     * its {@code host_task_day} row, which this test locks until the three requests are queued.
     */
    @Test
    void aVolunteersHostsInOneClaimBatchShareWhatTheVolunteerHasLeft() throws Exception {
        String account = signUp("one-batch");
        List<TestHost> hosts = Stream.of("a", "b", "c")
                .map(name -> closedAfterTest(TestHost.registered(grpcPort(), account, name, "primes"))).toList();
        TestHost blocker = volunteerHost("blocker", "primes");
        job(20);
        jdbc.sql("INSERT INTO host_task_day (host_id, day, tasks, given_back) VALUES (:h, :day, 0, 0)")
                .param("h", blocker.id()).param("day", java.sql.Date.valueOf(HostStanding.day(clock.instant())))
                .update();

        List<CompletableFuture<RequestWorkResponse>> answers;
        try (Connection lock = dataSource.getConnection();
                ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement(
                    "SELECT tasks FROM host_task_day WHERE host_id = ? FOR UPDATE")) {
                s.setLong(1, blocker.id());
                s.executeQuery().close();
            }
            CompletableFuture<List<Task>> blocked = CompletableFuture.supplyAsync(() -> blocker.requestWork(1), calls);
            await().until(this::claimWaitsForTaskDay);
            answers = hosts.stream().map(h -> CompletableFuture.supplyAsync(() -> h.poll(4), calls)).toList();
            await().until(() -> meters.get("starling.batch.queued").tag("batch", "claims").gauge().value() == 3);
            lock.commit();
            assertThat(blocked.get()).hasSize(1);
        }

        List<RequestWorkResponse> got = answers.stream().map(CompletableFuture::join).toList();
        assertThat(got).as("6 for the volunteer's hosts together, 4 for one host")
                .extracting(r -> r.getTasksCount()).containsExactlyInAnyOrder(4, 2, 0);
        assertThat(got).filteredOn(r -> r.getTasksCount() == 0).singleElement()
                .satisfies(r -> assertThat(r.getNoWork().getReason()).isEqualTo(NoWork.Reason.DAILY_LIMIT))
                .satisfies(r -> assertThat(r.getNoWork().getMessage()).contains("the volunteer's hosts took"));
        assertThat(jdbc.sql("SELECT sum(d.tasks) FROM host_task_day d JOIN host h ON h.id = d.host_id"
                + " WHERE h.volunteer_id = (SELECT volunteer_id FROM host WHERE id = :h)").param("h", hosts.get(0).id())
                .query(Integer.class).single()).as("counted against the day").isEqualTo(6);
    }

    /** Whether a claim waits for a {@code host_task_day} row's lock ({@link DailyLimits#spend}). */
    private boolean claimWaitsForTaskDay() {
        return jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'INSERT INTO host_task_day%'").query(Long.class).single() > 0;
    }

    @Test
    void aHostThatGivesBackItsDailyCapGetsNoMoreThatDay() {
        TestHost picky = volunteerHost("picky", "primes");
        job(20);

        List<Task> taken = picky.requestWork(2);
        assertThat(taken).hasSize(2);
        taken.forEach(t -> picky.fail(t, Failure.Kind.GIVEN_BACK, "not this one"));
        assertThat(jdbc.sql("SELECT given_back FROM host_task_day WHERE host_id = :h").param("h", picky.id())
                .query(Integer.class).single()).isEqualTo(2);
        assertThat(picky.requestWork(64)).as("2 of its 4 left, but 2 given back").isEmpty();
        aMinuteLater();
        assertThat(picky.requestWork(64)).as("for the whole day").isEmpty();
        clock.advance(Duration.ofDays(1));
        assertThat(picky.requestWork(64)).isNotEmpty();
    }

    @Test
    void aHostMayHoldOnlyMaxParkedTasksParked() {
        TestHost parker = volunteerHost("parker", "primes");
        job(4);
        List<Task> tasks = parker.requestWork(3);
        assertThat(tasks).hasSize(3);

        HeartbeatResponse beat = parker.stub(true).heartbeat(HeartbeatRequest.newBuilder()
                .addTasks(park(tasks.get(0))).addTasks(park(tasks.get(1))).build());
        assertThat(beat.getLeasesList()).as("one parked until its deadline, the other leased")
                .filteredOn(l -> l.getLeaseExpiresEpochMillis() == tasks.get(0).getDeadlineEpochMillis())
                .hasSize(1);
        assertThat(beat.getLeasesList()).filteredOn(l -> l.getLeaseExpiresEpochMillis()
                == clock.instant().plusSeconds(60).toEpochMilli()).hasSize(1);

        HeartbeatResponse later = parker.stub(true).heartbeat(HeartbeatRequest.newBuilder()
                .addTasks(park(tasks.get(2))).build());
        assertThat(later.getLeasesList()).singleElement().as("one is parked already")
                .satisfies(l -> assertThat(l.getLeaseExpiresEpochMillis())
                        .isEqualTo(clock.instant().plusSeconds(60).toEpochMilli()));
    }

    private static TaskProgress park(Task t) {
        return TaskProgress.newBuilder().setResultId(t.getResultId()).setFractionDone(0.5).setParked(true).build();
    }
}
