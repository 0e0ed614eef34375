package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Adaptive replication over real gRPC and PostgreSQL: a host becomes trusted for an app after a run of valid results
 * ({@code trust-after} 3 here), its tasks of fresh work units then stand alone with probability 1 - 1/n (their other
 * replicas cancelled at claim time) and are validated by its result alone; an invalid result ends the run; a job may
 * turn it off.
 */
class AdaptiveReplicationTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.adaptive-replication.trust-after", () -> "3");
        registry.add("starling.spot-checks.rate", () -> "0");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** A primes job of {@code units} work units of 1,000 numbers from 0, quorum 2; {@code adaptive} as said. */
    private long job(int units, String adaptive) {
        String redundancy = adaptive == null ? "{\"quorum\":2}" : "{\"quorum\":2,\"adaptive\":" + adaptive + "}";
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":" + redundancy + "}");
        await().until(() -> api().job(id).get("workUnits").get("total").asLong() == units
                && api().job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    /** Every task the host can get now. */
    private static List<Task> drain(TestHost host) {
        List<Task> all = new ArrayList<>();
        for (List<Task> got = host.requestWork(64); !got.isEmpty(); got = host.requestWork(64)) {
            all.addAll(got);
        }
        return all;
    }

    private void computeRight(TestHost host, List<Task> tasks) {
        tasks.forEach(t -> host.succeed(t, Primes.count(t.getIndex())));
    }

    private int run(TestHost host) {
        return jdbc.sql("SELECT coalesce(max(consecutive_valid), 0) FROM host_app_trust WHERE host_id = :h")
                .param("h", host.id()).query(Integer.class).single();
    }

    private List<Long> aloneWorkUnits(long job) {
        return jdbc.sql("SELECT work_unit_id FROM result WHERE job_id = :job AND alone ORDER BY work_unit_id")
                .param("job", job).query(Long.class).list();
    }

    @Test
    void aTrustedHostsResultStandsAloneAndAnInvalidResultEndsItsTrust() {
        TestHost trusted = volunteerHost("steady", "primes");
        TestHost partner = volunteerHost("partner", "primes");
        TestHost third = volunteerHost("third", "primes");

        // four agreeing results each: a run of 4 (trust-after 3)
        long first = job(4, null);
        computeRight(trusted, drain(trusted));
        computeRight(partner, drain(partner));
        await().until(() -> api().job(first).get("state").asString().equals("SUCCEEDED"));
        assertThat(aloneWorkUnits(first)).as("nobody was trusted yet").isEmpty();
        assertThat(run(trusted)).isEqualTo(4);

        // 30 fresh work units: each of its tasks stands alone with probability 3/4 or more (none: 1e-18)
        long second = job(30, null);
        List<Task> tasks = drain(trusted);
        assertThat(tasks).hasSize(30);
        List<Long> alone = aloneWorkUnits(second);
        assertThat(alone).isNotEmpty();
        for (long wu : alone) {
            assertThat(jdbc.sql("SELECT state FROM result WHERE work_unit_id = :wu AND host_id IS NULL")
                    .param("wu", wu).query(String.class).list())
                    .as("the other replica of work unit %d is cancelled at claim time", wu).containsOnly("CANCELLED");
        }
        List<Task> siblings = drain(partner);
        assertThat(siblings).as("the partner gets only the work units that were not trusted alone")
                .hasSize(30 - alone.size());
        computeRight(trusted, tasks);
        for (long wu : alone) {
            assertThat(jdbc.sql("SELECT state FROM work_unit WHERE id = :wu").param("wu", wu).query(String.class)
                    .single()).as("work unit %d validated by the trusted host's result alone", wu).isEqualTo("VALIDATED");
        }
        computeRight(partner, siblings);
        await().until(() -> api().job(second).get("state").asString().equals("SUCCEEDED"));
        long results = jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state = 'VALID'")
                .param("job", second).query(Long.class).single();
        assertThat(results).isEqualTo(60 - alone.size());
        assertThat(api().job(second).get("redundancy").get("adaptive").asBoolean()).isTrue();

        // a job that turns it off: replicated as before, even for the trusted host; there, an invalid result
        long off = job(1, "false");
        Task lie = drain(trusted).get(0);
        trusted.succeed(lie, "999");
        computeRight(partner, drain(partner));
        computeRight(third, drain(third));
        await().until(() -> api().job(off).get("state").asString().equals("SUCCEEDED"));
        assertThat(aloneWorkUnits(off)).isEmpty();
        assertThat(api().job(off).get("redundancy").get("adaptive").asBoolean()).isFalse();
        assertThat(run(trusted)).as("the invalid result ended the run").isZero();
        assertThat(jdbc.sql("SELECT resets FROM host_app_trust WHERE host_id = :h").param("h", trusted.id())
                .query(Integer.class).single()).isEqualTo(1);

        // no longer trusted: nothing stands alone
        long after = job(10, null);
        assertThat(drain(trusted)).hasSize(10);
        assertThat(aloneWorkUnits(after)).isEmpty();
    }
}
