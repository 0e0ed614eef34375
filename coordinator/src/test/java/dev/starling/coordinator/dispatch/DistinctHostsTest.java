package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With {@code starling.dispatch.distinct=hosts}, a volunteer's hosts may compute the same work unit (never one host twice). */
class DistinctHostsTest extends CoordinatorTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.dispatch.distinct", () -> "hosts");
    }

    @Test
    void twoHostsOfOneVolunteerMayMakeAQuorum() throws InterruptedException {
        String erin = signUp("erin");
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2000,\"chunkSize\":1000}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 2
                && api().job(job).get("workUnits").get("unsplit").asLong() == 0);
        try (TestHost first = TestHost.registered(grpcPort(), erin, "erin-1", "primes");
                TestHost second = TestHost.registered(grpcPort(), erin, "erin-2", "primes")) {
            List<Task> a = first.requestWork(10);
            List<Task> b = second.requestWork(10);

            assertThat(a).hasSize(2);
            assertThat(first.requestWork(10)).isEmpty();
            assertThat(b).extracting(Task::getWorkUnitId)
                    .containsExactlyInAnyOrderElementsOf(a.stream().map(Task::getWorkUnitId).toList());
            for (Task t : a) {
                first.succeed(t, t.getIndex() == 0 ? "168" : "135");
            }
            for (Task t : b) {
                second.succeed(t, t.getIndex() == 0 ? "168" : "135");
            }
            await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        }
    }
}
