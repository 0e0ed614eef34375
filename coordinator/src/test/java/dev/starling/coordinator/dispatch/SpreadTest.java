package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A work unit's replicas spread apart, over real gRPC: requests made back to back (two colluders in tandem) never get
 * replicas of one work unit, and the claim does not deal a work unit's replicas side by side.
 */
class SpreadTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.dispatch.replica-gap", () -> "500ms");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private TestHost host(String name) {
        return closedAfterTest(TestHost.registered(grpcPort(), signUp(name), name, "primes"));
    }

    private long job(int units) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}");
        await().until(() -> api().job(id).get("workUnits").get("unsplit").asLong() == 0
                && api().job(id).get("workUnits").get("total").asLong() == units);
        return id;
    }

    private static Set<Long> workUnits(List<Task> tasks) {
        return tasks.stream().map(Task::getWorkUnitId).collect(Collectors.toSet());
    }

    @Test
    void tandemRequestsNeverGetBothReplicasOfOneWorkUnit() {
        TestHost leader = host("tandem-leader");
        TestHost follower = host("tandem-follower");
        job(40);

        for (int round = 0; round < 5; round++) {
            List<Task> first = leader.requestWork(8);
            List<Task> second = follower.requestWork(8);

            assertThat(first).hasSize(8);
            assertThat(workUnits(second)).as("round %d: the follower asked right after the leader", round)
                    .doesNotContainAnyElementsOf(workUnits(first));
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void theOtherReplicaGoesOutOnceTheGapHasPassed() {
        TestHost first = host("gap-first");
        TestHost second = host("gap-second");
        job(1);
        Task task = first.requestWork(1).get(0);
        assertThat(second.requestWork(1)).as("within the gap").isEmpty();

        clock.advance(Duration.ofMillis(501));

        assertThat(second.requestWork(1)).extracting(Task::getWorkUnitId).containsExactly(task.getWorkUnitId());
    }

    @Test
    void aWorkUnitsReplicasAreNotDealtSideBySide() {
        job(200);
        // the claim's order: by slot, the order of writing moved by a random part per replica
        List<Long> byClaimOrder = jdbc.sql("""
                        SELECT work_unit_id FROM result WHERE state = 'UNSENT' ORDER BY priority DESC, slot""")
                .query(Long.class).list();
        long adjacent = 0;
        for (int i = 1; i < byClaimOrder.size(); i++) {
            if (byClaimOrder.get(i).equals(byClaimOrder.get(i - 1))) {
                adjacent++;
            }
        }
        // in id order all 200 pairs would be side by side; dealt at random over ~4096 places, the 400 replicas are in
        // a random order, where a pair is adjacent with a probability of 1 in 200: about 1 pair
        assertThat(adjacent).isLessThan(20);
    }
}
