package dev.starling.coordinator.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * New volunteers on probation, over real gRPC and PostgreSQL: in a fresh project everyone is new and results count as
 * they always did; once enough volunteers are established, two new volunteers agreeing (on a wrong answer) are not a
 * quorum, and the next replica goes to an established volunteer's host.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // once enforced, probation stays enforced: the fresh project first
class ProbationTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.trust.probation-results", () -> "1");
        registry.add("starling.trust.enforce-after", () -> "2");
        registry.add("starling.trust.recheck", () -> "0s");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private long job() {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2,\"maxResults\":6}}");
        await().until(() -> api().job(id).get("workUnits").get("unsplit").asLong() == 0
                && api().job(id).get("workUnits").get("total").asLong() == 1);
        return id;
    }

    private long validated(long job) {
        return api().job(job).get("workUnits").get("validated").asLong();
    }

    @Test
    @Order(1)
    void aFreshProjectValidatesThenNewVolunteersNeedAnEstablishedPartner() {
        String aliceKey = signUp("alice");
        TestHost alice = closedAfterTest(TestHost.registered(grpcPort(), aliceKey, "alice-1", "primes"));
        TestHost bob = volunteerHost("bob", "primes");

        // everyone is new: nobody is established, so probation is not enforced yet
        long first = job();
        alice.requestWork(1).forEach(t -> alice.succeed(t, "168"));
        bob.requestWork(1).forEach(t -> bob.succeed(t, "168"));
        await().until(() -> validated(first) == 1);
        await().until(() -> jdbc.sql("SELECT count(*) FROM host WHERE valid_count >= 1").query(Long.class).single() == 2);

        // alice and bob are established now (enforce-after 2): carol and dave are on probation
        TestHost carol = volunteerHost("carol", "primes");
        TestHost dave = volunteerHost("dave", "primes");
        long second = job();
        List<Task> forCarol = carol.requestWork(1);
        List<Task> forDave = dave.requestWork(1);
        assertThat(forCarol).hasSize(1);
        assertThat(forDave).hasSize(1);
        carol.succeed(forCarol.get(0), "999");
        dave.succeed(forDave.get(0), "999");

        await().until(() -> jdbc.sql("SELECT count(*) FROM result WHERE work_unit_id = ? AND state = 'INCONCLUSIVE'")
                .param(forCarol.get(0).getWorkUnitId()).query(Long.class).single() == 2);
        assertThat(validated(second)).as("two volunteers on probation agreeing are no quorum").isZero();

        // the next replica goes to a new host of alice, an established volunteer
        TestHost alice2 = closedAfterTest(TestHost.registered(grpcPort(), aliceKey, "alice-2", "primes"));
        List<Task> third = await().until(() -> alice2.requestWork(1), t -> !t.isEmpty());
        alice2.succeed(third.get(0), "168");
        assertThat(validated(second)).as("the established host disagrees: still no quorum").isZero();
        assertThat(jdbc.sql("SELECT quarantined FROM result WHERE id = ?").param(forCarol.get(0).getResultId())
                .query(Boolean.class).single()).as("carol's replica was marked as needing a partner").isTrue();
        assertThat(jdbc.sql("SELECT quarantined FROM result WHERE id = ?").param(third.get(0).getResultId())
                .query(Boolean.class).single()).isFalse();
    }

    /**
     * A host's valid count comes with its token, remembered for a minute: a volunteer that became established meanwhile
     * must not be on probation until the token is looked up again (every host's results waited for a partner in good
     * standing for a minute, and the bench's hosts ran into their daily limits with nothing judged).
     */
    @Test
    @Order(2)
    void aVolunteerEstablishedWhileTheTokenIsRememberedIsOffProbationAtOnce() {
        TestHost erin = volunteerHost("erin", "primes");
        TestHost frank = volunteerHost("frank", "primes");
        TestHost gina = volunteerHost("gina", "primes");
        // erin and frank are established (what the fold of their validated results writes), so probation is enforced
        jdbc.sql("UPDATE host SET valid_count = 5 WHERE id IN (?, ?)").param(erin.id()).param(frank.id())
                .update();

        job();
        List<Task> forGina = gina.requestWork(1);
        assertThat(forGina).hasSize(1);
        assertThat(quarantined(forGina.get(0))).as("gina is new: her replica needs a partner in good standing").isTrue();

        // gina's valid results are counted now, while the coordinator still remembers her token with none
        jdbc.sql("UPDATE host SET valid_count = 1 WHERE id = ?").param(gina.id()).update();
        cancel();
        job();
        List<Task> next = gina.requestWork(1);
        assertThat(next).hasSize(1);
        assertThat(quarantined(next.get(0))).as("gina is established now").isFalse();
    }

    private boolean quarantined(Task task) {
        return jdbc.sql("SELECT quarantined FROM result WHERE id = ?").param(task.getResultId()).query(Boolean.class)
                .single();
    }
}
