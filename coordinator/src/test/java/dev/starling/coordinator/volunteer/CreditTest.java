package dev.starling.coordinator.volunteer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Credit over real gRPC and HTTP: only validated results earn it, per volunteer, as the public leaderboard shows. */
class CreditTest extends CoordinatorTest {
    private static final Map<Long, String> COUNTS = Map.of(0L, "168", 1L, "135", 2L, "127", 3L, "120");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void theLeaderboardsCreditIsTheValidatedWorkOfEachVolunteersHosts() throws InterruptedException {
        String alice = signUp("alice");
        String bob = signUp("bob");
        String carol = signUp("carol");
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 4);
        try (TestHost a = TestHost.registered(grpcPort(), alice, "alice-1", "primes");
                TestHost b1 = TestHost.registered(grpcPort(), bob, "bob-1", "primes");
                TestHost b2 = TestHost.registered(grpcPort(), bob, "bob-2", "primes");
                TestHost c = TestHost.registered(grpcPort(), carol, "carol-1", "primes")) {
            // alice and bob's first host compute everything; bob's is wrong once, and carol settles that one
            List<Task> forAlice = a.requestWork(10);
            assertThat(forAlice).as("each task carries its work unit's cost, the credit it earns").hasSize(4)
                    .allSatisfy(t -> assertThat(t.getCost()).isEqualTo(0.001));
            List<Task> forBob = b1.requestWork(10);
            assertThat(b2.requestWork(10)).as("bob holds a replica of every work unit already").isEmpty();
            forAlice.forEach(t -> a.succeed(t, COUNTS.get(t.getIndex())));
            forBob.forEach(t -> b1.succeed(t, t.getIndex() == 3 ? "999" : COUNTS.get(t.getIndex())));
            c.requestWork(10).forEach(t -> c.succeed(t, COUNTS.get(t.getIndex())));
            await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));

            Map<Long, Double> validated = validatedCreditByHost(job);
            Map<String, Double> expected = Map.of(
                    "alice", validated.getOrDefault(a.id(), 0.0),
                    "bob", validated.getOrDefault(b1.id(), 0.0) + validated.getOrDefault(b2.id(), 0.0),
                    "carol", validated.getOrDefault(c.id(), 0.0));
            assertThat(expected).containsEntry("alice", 0.004);
            Map<String, JsonNode> board = new HashMap<>();
            for (JsonNode e : anonymous().get("/api/v1/leaderboard").json().get("items")) {
                board.put(e.get("name").asString(), e);
            }
            expected.forEach((name, credit) ->
                    assertThat(board.get(name).get("credit").asDouble()).as(name).isCloseTo(credit, within(1e-12)));
            assertThat(board.get("bob").get("validResults").asLong()).isEqualTo(3);
            assertThat(board.get("bob").get("hosts").asInt()).isEqualTo(2);
            assertThat(board.get("alice").get("rank").asLong()).isEqualTo(1);
            assertThat(anonymous().get("/api/v1/leaderboard").body()).doesNotContain("@volunteers.example");
            assertThat(anonymous().withKey(bob).get("/api/v1/volunteers/me").json().get("credit").asDouble())
                    .isCloseTo(expected.get("bob"), within(1e-12));
        }
    }

    /** The credit of every VALID result of the job, summed by host. */
    private Map<Long, Double> validatedCreditByHost(long job) {
        Map<Long, Double> credit = new HashMap<>();
        for (JsonNode wu : api().get("/api/v1/jobs/" + job + "/workunits").json().get("items")) {
            for (JsonNode r : wu.get("results")) {
                if (r.get("state").asString().equals("VALID")) {
                    credit.merge(r.get("hostId").asLong(), r.get("credit").asDouble(), Double::sum);
                }
            }
        }
        return credit;
    }
}
