package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Quorums of distinct volunteers (the default): two hosts of one volunteer never get replicas of one work unit,
 * over real gRPC; the database refuses it too.
 */
class DistinctVolunteersTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private TestHost host(String accountKey, String name) {
        return closedAfterTest(TestHost.registered(grpcPort(), accountKey, name, "primes"));
    }

    /** A primes job of {@code units} work units, quorum 2, split before it returns. */
    private long job(int units) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}");
        await().until(() -> api().job(id).get("workUnits").get("unsplit").asLong() == 0
                && api().job(id).get("workUnits").get("total").asLong() == units);
        return id;
    }

    @Test
    void aVolunteersSecondHostGetsNoReplicaOfAWorkUnitTheFirstHasAndAnotherVolunteerDoes() {
        String alice = signUp("alice");
        TestHost laptop = host(alice, "alice-laptop");
        TestHost desktop = host(alice, "alice-desktop");
        TestHost bob = host(signUp("bob"), "bob-pc");
        job(3);

        List<Task> forLaptop = laptop.requestWork(10);
        List<Task> forDesktop = desktop.requestWork(10);
        List<Task> forBob = bob.requestWork(10);

        assertThat(forLaptop).hasSize(3);
        assertThat(forDesktop).as("alice holds a replica of every work unit already").isEmpty();
        assertThat(forBob).extracting(Task::getWorkUnitId)
                .containsExactlyInAnyOrderElementsOf(forLaptop.stream().map(Task::getWorkUnitId).toList());
    }

    @Test
    void aReplicaGivenBackByOneHostMayGoToTheVolunteersOtherHost() {
        String carol = signUp("carol");
        TestHost first = host(carol, "carol-1");
        TestHost second = host(carol, "carol-2");
        job(1);
        Task task = first.requestWork(1).get(0);
        assertThat(second.requestWork(1)).isEmpty();

        first.fail(task, Failure.Kind.GIVEN_BACK, "shutting down");

        assertThat(second.requestWork(1)).extracting(Task::getWorkUnitId).containsExactly(task.getWorkUnitId());
    }

    @Test
    void theDatabaseRefusesTwoReplicasOfOneWorkUnitToOneVolunteer() {
        String dave = signUp("dave");
        TestHost h = host(dave, "dave-1");
        job(1);
        Task task = h.requestWork(1).get(0);
        long volunteer = jdbc.sql("SELECT volunteer_id FROM result WHERE id = ?").param(task.getResultId())
                .query(Long.class).single();

        assertThatThrownBy(() -> jdbc.sql("""
                        UPDATE result SET state = 'IN_PROGRESS', host_id = -1, volunteer_id = ?
                         WHERE work_unit_id = ? AND state = 'UNSENT'""")
                .param(volunteer).param(task.getWorkUnitId()).update())
                .isInstanceOf(DuplicateKeyException.class);
    }
}
