package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Fair share, over real gRPC on a real PostgreSQL: researchers with work waiting get tasks, and so validated work
 * units, in proportion to their shares, counted (never timed); one alone gets everything; a newcomer shares at once
 * without taking everything; a small job next to a big one finishes; the researcher least served whose work this host
 * may not take does not keep it from the next one's. The waiting researchers are read at every claim here
 * ({@code fair-share-refresh=0}), so what each claim does is known.
 */
class FairShareTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.dispatch.fair-share-refresh", () -> "0s");
        // every result here validates its work unit alone (quorum 1), whoever computed it
        registry.add("starling.trust.probation-results", () -> "0");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** A researcher with the given share. */
    private TestApi researcher(String name, int share) {
        String key = researcherKey(name);
        long id = Long.parseLong(key.split("_")[1]);
        TestApi.Response set = api().send(api().request("/api/v1/admin/researchers/" + id + "/quotas")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"share\":" + share + "}")).build());
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("share").asInt()).isEqualTo(share);
        return anonymous().withKey(key);
    }

    /** A job of primes over {@code units} work units, each validated by its one result; waits until it is split. */
    private static long job(TestApi as, int units, int replicas) {
        return job(as, units, replicas, 0);
    }

    private static long job(TestApi as, int units, int replicas, int priority) {
        long id = as.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":" + replicas + ",\"initialReplicas\":" + replicas
                + "},\"priority\":" + priority + "}");
        await().until(() -> as.job(id).get("workUnits").get("unsplit").asLong() == 0
                && as.job(id).get("workUnits").get("total").asLong() == units);
        return id;
    }

    private List<TestHost> hosts(String prefix, int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> closedAfterTest(TestHost.registered(grpcPort(), signUp(prefix + i), prefix + i, "primes")))
                .toList();
    }

    /** Each host asks for {@code tasks} and reports them all, {@code rounds} times; tasks given, by job. */
    private static Map<Long, Integer> work(List<TestHost> hosts, int rounds, int tasks) {
        Map<Long, Integer> byJob = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (TestHost h : hosts) {
                List<Task> given = h.requestWork(tasks);
                assertThat(given).as("round %d: there is plenty of work", round).hasSize(tasks);
                for (Task t : given) {
                    byJob.merge(t.getJobId(), 1, Integer::sum);
                    h.succeed(t, "0");
                }
            }
        }
        return byJob;
    }

    private long validated(long job) {
        return jdbc.sql("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'VALIDATED'")
                .param("job", job).query(Long.class).single();
    }

    @Test
    void sharesOfThreeToOneGetValidatedWorkUnitsThreeToOne() {
        long three = job(researcher("share-three", 3), 1000, 1);
        long one = job(researcher("share-one", 1), 1000, 1);
        List<TestHost> hosts = hosts("fair", 4);

        work(hosts, 40, 4); // 640 tasks

        long a = validated(three);
        long b = validated(one);
        assertThat(a + b).isEqualTo(640);
        assertThat((double) a / b).as("%d to %d", a, b).isBetween(2.7, 3.3);
    }

    @Test
    void oneAloneGetsEverythingAndANewcomerSharesWithoutTakingEverything() {
        long alone = job(researcher("alone", 1), 1000, 1);
        List<TestHost> hosts = hosts("alone", 2);
        Map<Long, Integer> first = work(hosts, 20, 4);
        assertThat(first).containsExactly(Map.entry(alone, 160));

        long newcomer = job(researcher("newcomer", 1), 1000, 1);
        Map<Long, Integer> then = work(hosts, 20, 4);

        // equal shares: half each from its arrival, not all of it until it has had as much as the first
        assertThat(then.get(newcomer)).as("%s", then).isBetween(72, 88);
    }

    @Test
    void aSmallJobNextToABigOneIsNotStarved() {
        long big = job(researcher("big", 1), 1000, 1);
        List<TestHost> hosts = hosts("small", 2);
        work(hosts, 5, 4);
        long small = job(researcher("small", 1), 10, 1);

        Map<Long, Integer> given = work(hosts, 3, 4); // 24 tasks: half of them are the small job's turn

        assertThat(given.get(small)).isEqualTo(10);
        await().until(() -> api().job(small).get("state").asString().equals("SUCCEEDED"));
        assertThat(validated(big)).as("the big job goes on beside it").isEqualTo(40 + 14);
    }

    @Test
    void aPriorityOrdersItsResearchersOwnJobsOnly() {
        TestApi first = researcher("priorities", 1);
        long high = job(first, 1, 1, 10);
        long low = job(first, 5, 1, 0);
        long others = job(researcher("lower-priority", 1), 5, 1, -10);
        TestHost host = hosts("priority", 1).get(0);

        List<Long> jobs = IntStream.range(0, 4).mapToObj(i -> host.requestWork(1).get(0).getJobId()).toList();

        assertThat(jobs).containsExactly(high, others, low, others);
    }

    @Test
    void theNextResearcherServesAHostThatMayNotTakeTheLeastServedOnesWork() {
        // a huge share keeps this researcher the least served; their one work unit needs two hosts
        long pair = job(researcher("least-served", 1000), 1, 2);
        long other = job(researcher("next", 1), 100, 1);
        TestHost first = hosts("next", 1).get(0);

        List<Task> once = first.requestWork(4);
        assertThat(once).extracting(Task::getJobId).as("one replica of the pair's work unit, then the next's work")
                .containsExactlyInAnyOrder(pair, other, other, other);
        List<Task> again = first.requestWork(4);
        assertThat(again).extracting(Task::getJobId).as("the pair's other replica is not for this host")
                .containsExactly(other, other, other, other);

        TestHost second = hosts("pair", 1).get(0);
        assertThat(second.requestWork(1)).extracting(Task::getJobId).containsExactly(pair);
    }
}
