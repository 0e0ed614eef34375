package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.dashboard.AdminSession;
import dev.starling.coordinator.dispatch.RunnableApps;
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
import tools.jackson.databind.JsonNode;

/**
 * Spot checks over real gRPC and PostgreSQL, against a turncoat: honest until trusted, then wrong where its result
 * stands alone. Every work unit a quorum validates is checked again here (rate 1); the turncoat fails a spot check,
 * is quarantined, and every work unit it helped validate is re-opened; the job whose canonical outputs it forged is
 * marked overturned and assimilated again from the right outputs.
 */
class SpotCheckTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private RunnableApps runnableApps;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.adaptive-replication.trust-after", () -> "3");
        registry.add("starling.spot-checks.rate", () -> "1");
        // a job's alone results not vouched for are re-checked at its end: UnvouchedAtStageEndTest
        registry.add("starling.adaptive-replication.recheck-unvouched", () -> "false");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private long job(int units) {
        return job(units, true);
    }

    private long job(int units, boolean adaptive) {
        return Primes.job(api(), units, adaptive);
    }

    /** A primes job of one work unit, quorum 2 and at most {@code maxResults} results, replicated. */
    private long bounded(int maxResults) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":2,\"maxResults\":" + maxResults + ",\"adaptive\":false}}");
        await().until(() -> api().job(id).get("workUnits").get("total").asLong() == 1
                && api().job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    private void succeeded(long job) {
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
    }

    private long spotChecks(long job) {
        return jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND spot_check").param("job", job)
                .query(Long.class).single();
    }

    @Test
    void aDeployedAppsWorkUnitsAreSpotCheckedTooWithTheirModule() {
        TestApi owner = anonymous().withKey(researcherKey("deployer"));
        owner.deployCommand("checked", 16);
        TestHost a = wasmHost("wasm-a");
        TestHost b = wasmHost("wasm-b");
        TestHost checker = wasmHost("wasm-checker");
        long job = owner.submitWorkUnits("checked@1.0.0", 2,
                ",\"redundancy\":{\"quorum\":2,\"adaptive\":false}");
        for (TestHost h : List.of(a, b)) {
            h.drain().forEach(t -> h.succeedWasm(t, "out " + t.getIndex() + "\n"));
        }
        succeeded(job);
        assertThat(spotChecks(job)).as("its work units read a blob, the module, which the coordinator stores")
                .isEqualTo(2);
        // the versions with jobs are read again (as every refresh-interval), now that the job has ended: its version
        // must still be runnable, or its spot checks would wait for a host forever
        runnableApps.jobSubmitted();
        List<Task> checks = checker.drain();
        assertThat(checks).hasSize(2).allSatisfy(t -> assertThat(t.getInputsList()).as("the module, to fetch")
                .singleElement().satisfies(in -> assertThat(in.getCoordinatorHasIt()).isTrue()));
        checks.forEach(t -> checker.succeedWasm(t, "out " + t.getIndex() + "\n"));
        await().until(() -> jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND spot_check AND state = 'VALID'")
                .param("job", job).query(Long.class).single() == 2);
    }

    private TestHost wasmHost(String name) {
        TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp(name)));
        host.registerWasm(name, 64);
        return host;
    }

    @Test
    void aTurncoatFailsASpotCheckAndEverythingItHelpedValidateIsRecheckedAndOverturned() {
        TestHost turncoat = volunteerHost("turncoat", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        TestHost checker = volunteerHost("checker", "primes");

        // honest at first: three agreeing results make it trusted; each work unit gets a spot check, for the checker
        long earning = job(3);
        Primes.computeRight(turncoat, turncoat.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(earning);
        assertThat(spotChecks(earning)).isEqualTo(3);
        List<Task> checks = checker.drain();
        assertThat(checks).as("spot checks look like any task").hasSize(3)
                .allSatisfy(t -> assertThat(t.getJobId()).isEqualTo(earning));
        Primes.computeRight(checker, checks);
        await().until(() -> jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND spot_check AND state = 'VALID'")
                .param("job", earning).query(Long.class).single() == 3);

        // trusted, it turns: wrong wherever its result stands alone, right elsewhere
        long forged = job(20);
        List<Task> tasks = turncoat.drain();
        Set<Long> alone = jdbc.sql("SELECT work_unit_id FROM result WHERE job_id = :job AND alone").param("job", forged)
                .query(Long.class).list().stream().collect(Collectors.toSet());
        assertThat(alone).as("with a run of 3, each stands alone with probability 2/3 (none: 3e-10)").isNotEmpty();
        for (Task t : tasks) {
            turncoat.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        Primes.computeRight(honest, honest.drain());
        succeeded(forged);
        JsonNode before = api().job(forged);
        assertThat(before.has("recheck")).isFalse();

        // work units it did not compute, validated by two others (both trusted by now: replicated all the same, so
        // that their answer is known): their spot checks can go to it
        long bait = job(2, false);
        List<Task> baitTasks = honest.drain();
        assertThat(baitTasks).hasSize(2);
        Primes.computeRight(honest, baitTasks);
        List<Task> checkerTasks = checker.drain();
        Primes.computeRight(checker, checkerTasks);
        succeeded(bait);
        List<Task> toTurncoat = turncoat.drain();
        assertThat(toTurncoat).isNotEmpty().allSatisfy(t -> assertThat(t.getJobId()).isEqualTo(bait));
        toTurncoat.forEach(t -> turncoat.succeed(t, "999"));

        // convicted: quarantined until the admin releases it, trust ended
        JsonNode host = await().until(() -> api().get("/api/v1/hosts/" + turncoat.id()).json(),
                v -> !v.get("quarantinedAt").isNull());
        assertThat(host.get("quarantineReason").asString()).startsWith("failed a spot check");
        assertThat(jdbc.sql("SELECT max(consecutive_valid) FROM host_app_trust WHERE host_id = :h")
                .param("h", turncoat.id()).query(Integer.class).single()).isZero();

        // every work unit it helped validate is re-opened, the forged job too
        await().until(() -> api().job(forged).has("recheck"));
        JsonNode reopened = api().job(forged);
        assertThat(reopened.get("state").asString()).isEqualTo("RUNNING");
        assertThat(reopened.get("recheck").get("workUnits").asInt()).isEqualTo(20);
        await().until(() -> api().job(earning).has("recheck"));
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE host_id = :h AND state = 'VALID'")
                .param("h", turncoat.id()).query(Long.class).single()).isZero();

        // honest hosts compute the new replicas: the forged outputs are overturned, the job assimilated again
        await().until(() -> {
            Primes.computeRight(checker, checker.drain());
            Primes.computeRight(honest, honest.drain());
            return api().job(forged).get("state").asString().equals("SUCCEEDED")
                    && api().job(earning).get("state").asString().equals("SUCCEEDED");
        });
        JsonNode after = api().job(forged);
        assertThat(after.get("recheck").get("overturned").asInt()).isEqualTo(alone.size());
        assertThat(after.get("recheck").get("overturnedAt").isNull()).isFalse();
        assertThat(api().job(earning).get("recheck").get("overturned").asInt()).as("its honest work stands").isZero();
        String page = AdminSession.login(httpPort, ADMIN_PASSWORD).api.get("/dashboard/jobs/" + forged).body();
        assertThat(page).contains("20 work unit(s) re-checked", alone.size() + " overturned");
        for (JsonNode wu : api().get("/api/v1/jobs/" + forged + "/workunits?size=100").json().get("items")) {
            assertThat(wu.get("state").asString()).isEqualTo("VALIDATED");
        }
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM work_unit w JOIN result c ON c.id = w.canonical_result_id
                         WHERE w.job_id = :job AND c.host_id = :h""")
                .param("job", forged).param("h", turncoat.id()).query(Long.class).single())
                .as("no canonical output of the turncoat's is left").isZero();
        // re-opened results judged again are counted once: the honest host's valid count is its VALID results
        long valid = jdbc.sql("SELECT count(*) FROM result WHERE host_id = :h AND state = 'VALID'")
                .param("h", honest.id()).query(Long.class).single();
        assertThat(api().get("/api/v1/hosts/" + honest.id()).json().get("validCount").asLong()).isEqualTo(valid);
        assertThat(api().get("/api/v1/hosts/" + turncoat.id()).json().get("validCount").asLong())
                .isEqualTo(jdbc.sql("SELECT count(*) FROM result WHERE host_id = :h AND state = 'VALID'")
                        .param("h", turncoat.id()).query(Long.class).single());
    }

    /** The host takes the job's tasks: wrong wherever it stands alone, right elsewhere. Returns the alone ones. */
    private Set<Long> forge(TestHost turncoat, long job) {
        List<Task> tasks = turncoat.drain();
        Set<Long> alone = jdbc.sql("SELECT work_unit_id FROM result WHERE job_id = :job AND alone").param("job", job)
                .query(Long.class).list().stream().collect(Collectors.toSet());
        assertThat(alone).as("with a run of 3 or more, each stands alone with probability 2/3 or more").isNotEmpty();
        for (Task t : tasks) {
            turncoat.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        return alone;
    }

    /**
     * Only a spot check passed vouches for a host's earlier alone results: its answer was known before it was sent.
     * A replicated task that agreed with its partner does not (the partner may be a colluder). So a turncoat's forged
     * alone results before a spot check it passed escape its next doubt (the price: a known answer colluders won
     * would vouch the same way, f^q), and those after it are re-checked, though a replicated task agreed with it since.
     */
    @Test
    void aSpotCheckPassedVouchesForEarlierAloneResultsAnAgreeingPartnerDoesNot() {
        TestHost turncoat = volunteerHost("vouched-turncoat", "primes");
        TestHost honest = volunteerHost("its-partner", "primes");
        TestHost checker = volunteerHost("spot-checker", "primes");
        TestHost third = volunteerHost("tie-breaker", "primes");

        long earning = job(3);
        Primes.computeRight(turncoat, turncoat.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(earning);
        Primes.computeRight(checker, checker.drain()); // its spot checks

        // forged alone results, then a spot check it passes, sent after their reports
        long before = job(10);
        Set<Long> aloneBefore = forge(turncoat, before);
        Primes.computeRight(honest, honest.drain());
        succeeded(before);
        Primes.computeRight(checker, checker.drain());
        clock.advance(Duration.ofSeconds(1));
        long bait = job(1, false);
        Primes.computeRight(honest, honest.drain());
        Primes.computeRight(checker, checker.drain());
        succeeded(bait);
        List<Task> spot = turncoat.drain();
        assertThat(spot).as("the bait's spot check").singleElement()
                .satisfies(t -> assertThat(t.getJobId()).isEqualTo(bait));
        Primes.computeRight(turncoat, spot);
        await().until(() -> jdbc.sql("SELECT state FROM result WHERE id = :id").param("id", spot.get(0).getResultId())
                .query(String.class).single().equals("VALID"));

        // forged alone results after it, then a replicated task that agrees with its partner
        clock.advance(Duration.ofSeconds(1));
        long after = job(10);
        Set<Long> aloneAfter = forge(turncoat, after);
        Primes.computeRight(honest, honest.drain());
        succeeded(after);
        Primes.computeRight(checker, checker.drain());
        clock.advance(Duration.ofSeconds(1));
        long agreeing = job(1, false);
        Primes.computeRight(turncoat, turncoat.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(agreeing);
        Primes.computeRight(checker, checker.drain());

        // then outvoted on a replicated task: a doubt
        long caught = job(1, false);
        turncoat.succeed(turncoat.drain().get(0), "999");
        Primes.computeRight(honest, honest.drain());
        Primes.computeRight(third, third.drain());
        succeeded(caught);

        await().until(() -> api().job(after).has("recheck"));
        assertThat(api().job(after).get("recheck").get("workUnits").asInt()).isEqualTo(aloneAfter.size());
        await().until(() -> {
            for (TestHost h : List.of(honest, checker, third)) {
                Primes.computeRight(h, h.drain());
            }
            return api().job(after).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(after).get("recheck").get("overturned").asInt()).isEqualTo(aloneAfter.size());
        assertThat(aloneBefore).isNotEmpty();
        assertThat(api().job(before).has("recheck")).as("vouched for by the spot check it passed").isFalse();
    }

    /**
     * A re-checked work unit is not failed for results its re-check voided: it holds its job's whole
     * {@code maxResults} (3 here) anew beside them. Its quorum's two results, a third host's failed spot check of it,
     * and then one of the two convicted: three results are held (two INVALID), one agrees.
     */
    @Test
    void aReCheckedWorkUnitIsNotFailedForTheResultsItsReCheckVoided() {
        TestHost convicted = volunteerHost("soon-convicted", "primes");
        TestHost honest = volunteerHost("steadfast", "primes");
        TestHost liar = volunteerHost("spot-liar", "primes");
        TestHost checker = volunteerHost("late-checker", "primes");

        long job = bounded(3);
        Primes.computeRight(convicted, convicted.drain());
        Primes.computeRight(honest, honest.drain());
        succeeded(job);
        List<Task> check = liar.drain();
        assertThat(check).as("its spot check").singleElement()
                .satisfies(t -> assertThat(t.getJobId()).isEqualTo(job));
        liar.succeed(check.get(0), "999");
        await().until(() -> !api().get("/api/v1/hosts/" + liar.id()).json().get("quarantinedAt").isNull());

        // a work unit of another job, validated by the honest host and the checker: its spot check convicts the other
        long bait = bounded(3);
        Primes.computeRight(honest, honest.drain());
        Primes.computeRight(checker, checker.drain());
        succeeded(bait);
        List<Task> toConvict = convicted.drain();
        assertThat(toConvict).singleElement().satisfies(t -> assertThat(t.getJobId()).isEqualTo(bait));
        convicted.succeed(toConvict.get(0), "999");

        // re-checked: its held results are three, its job's maxResults; it asks for one more result all the same
        await().until(() -> api().job(job).has("recheck"));
        await().until(() -> {
            Primes.computeRight(checker, checker.drain());
            return !api().job(job).get("state").asString().equals("RUNNING");
        });
        assertThat(api().job(job).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state = 'VALID'").param("job", job)
                .query(Long.class).single()).as("the honest host's and the checker's").isEqualTo(2);
        assertThat(api().job(job).get("recheck").get("overturned").asInt()).isZero();
    }
}
