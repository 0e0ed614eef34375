package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.Task;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Hosts of one network never get replicas of one work unit. Every host of a test connects from loopback, which is
 * not told apart by default; here only a documentation network is, so loopback is one network, 127.0.0.0/24.
 */
class SameNetworkTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.dispatch.shared-networks", () -> "192.0.2.0/24");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    @Test
    void twoVolunteersOnOneNetworkNeverShareAWorkUnit() {
        TestHost alice = closedAfterTest(TestHost.registered(grpcPort(), signUp("alice"), "alice", "primes"));
        TestHost bob = closedAfterTest(TestHost.registered(grpcPort(), signUp("bob"), "bob", "primes"));
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}");
        await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);

        List<Task> forAlice = alice.requestWork(10);
        List<Task> forBob = bob.requestWork(10);

        assertThat(forAlice).hasSize(3);
        assertThat(forBob).as("bob is on alice's network, and she holds a replica of every work unit").isEmpty();
        assertThat(bob.poll(10).getNoWork().getReason()).as("and he is told so").isEqualTo(NoWork.Reason.SAME_NETWORK);
        assertThat(jdbc.sql("SELECT DISTINCT network FROM host WHERE id IN (?, ?)").param(alice.id()).param(bob.id())
                .query(String.class).list()).containsExactly("127.0.0.0/24");
    }
}
