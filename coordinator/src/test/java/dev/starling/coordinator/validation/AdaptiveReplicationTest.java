package dev.starling.coordinator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.sql.Timestamp;
import java.time.Duration;
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
        // a job's alone results not vouched for are re-checked at its end: UnvouchedAtStageEndTest
        registry.add("starling.adaptive-replication.recheck-unvouched", () -> "false");
    }

    @AfterEach
    void cancel() {
        // a doubted host's alone results re-checked first: a job they re-open later would feed the next test's hosts
        await().until(() -> jdbc.sql("SELECT count(*) FROM host_app_trust WHERE doubted_at IS NOT NULL")
                .query(Long.class).single() == 0);
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

    private void computeRight(TestHost host, List<Task> tasks) {
        tasks.forEach(t -> host.succeed(t, Primes.count(t.getIndex())));
    }

    /**
     * One-work-unit jobs, replicated, each with the liar wrong and the two others right, until the liar's invalid rate
     * quarantines it (about 7 invalid results).
     */
    private void lieUntilQuarantined(TestHost liar, TestHost honest, TestHost third) {
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            long lie = job(1, "false");
            liar.drain().forEach(t -> liar.succeed(t, "999"));
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            await().until(() -> api().job(lie).get("state").asString().equals("SUCCEEDED"));
            return !api().get("/api/v1/hosts/" + liar.id()).json().get("quarantinedAt").isNull();
        });
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
        computeRight(trusted, trusted.drain());
        computeRight(partner, partner.drain());
        await().until(() -> api().job(first).get("state").asString().equals("SUCCEEDED"));
        assertThat(aloneWorkUnits(first)).as("nobody was trusted yet").isEmpty();
        assertThat(run(trusted)).isEqualTo(4);

        // 30 fresh work units: each of its tasks stands alone with probability 3/4 or more (none: 1e-18)
        long second = job(30, null);
        List<Task> tasks = trusted.drain();
        assertThat(tasks).hasSize(30);
        List<Long> alone = aloneWorkUnits(second);
        assertThat(alone).isNotEmpty();
        for (long wu : alone) {
            assertThat(jdbc.sql("SELECT state FROM result WHERE work_unit_id = :wu AND host_id IS NULL")
                    .param("wu", wu).query(String.class).list())
                    .as("the other replica of work unit %d is cancelled at claim time", wu).containsOnly("CANCELLED");
        }
        List<Task> siblings = partner.drain();
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
        Task lie = trusted.drain().get(0);
        trusted.succeed(lie, "999");
        computeRight(partner, partner.drain());
        computeRight(third, third.drain());
        await().until(() -> api().job(off).get("state").asString().equals("SUCCEEDED"));
        assertThat(aloneWorkUnits(off)).isEmpty();
        assertThat(api().job(off).get("redundancy").get("adaptive").asBoolean()).isFalse();
        assertThat(run(trusted)).as("the invalid result ended the run").isZero();
        assertThat(jdbc.sql("SELECT resets FROM host_app_trust WHERE host_id = :h").param("h", trusted.id())
                .query(Integer.class).single()).isEqualTo(1);

        // no longer trusted: nothing stands alone
        long after = job(10, null);
        assertThat(trusted.drain()).hasSize(10);
        assertThat(aloneWorkUnits(after)).isEmpty();
    }

    /**
     * A turncoat, honest until trusted and then wrong wherever its result stands alone, is re-checked from its first
     * replicated result judged invalid, without any spot check: its alone results not vouched for (no spot check here,
     * so all of them: a replicated task that agreed with its partner vouches for nothing) are voided, their work units
     * re-opened for a full quorum of other hosts, and the job whose outputs it forged is overturned and assimilated
     * again. It is not convicted (an honest host may err once).
     */
    @Test
    void anInvalidResultReChecksTheAloneResultsNoSpotCheckVouchedFor() {
        TestHost turncoat = volunteerHost("turncoat", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        TestHost third = volunteerHost("tiebreaker", "primes");

        long earning = job(4, null);
        computeRight(turncoat, turncoat.drain());
        computeRight(honest, honest.drain());
        await().until(() -> api().job(earning).get("state").asString().equals("SUCCEEDED"));

        // trusted and still honest where it stands alone; a replicated task sent after those reports agrees
        long honestAlone = job(10, null);
        computeRight(turncoat, turncoat.drain());
        computeRight(honest, honest.drain());
        await().until(() -> api().job(honestAlone).get("state").asString().equals("SUCCEEDED"));
        List<Long> honestlyAlone = aloneWorkUnits(honestAlone);
        assertThat(honestlyAlone).isNotEmpty();
        clock.advance(Duration.ofSeconds(1)); // times as they pass: a task sent after those reports
        long agreeing = job(1, "false");
        computeRight(turncoat, turncoat.drain());
        computeRight(honest, honest.drain());
        await().until(() -> api().job(agreeing).get("state").asString().equals("SUCCEEDED"));

        // then it turns: wrong wherever it stands alone, right where it is replicated (no invalid result yet)
        long forged = job(20, null);
        List<Task> tasks = turncoat.drain();
        List<Long> alone = aloneWorkUnits(forged);
        assertThat(alone).as("each stands alone with probability 14/15 or more").isNotEmpty();
        clock.advance(Duration.ofSeconds(1));
        for (Task t : tasks) {
            turncoat.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        computeRight(honest, honest.drain());
        await().until(() -> api().job(forged).get("state").asString().equals("SUCCEEDED"));
        assertThat(api().job(forged).has("recheck")).isFalse();

        // then one of its replicated results is judged invalid (a tie-breaker decides)
        long caught = job(1, "false");
        turncoat.succeed(turncoat.drain().get(0), "999");
        computeRight(honest, honest.drain());
        computeRight(third, third.drain());
        await().until(() -> api().job(caught).get("state").asString().equals("SUCCEEDED"));

        // every alone result it reported is re-checked, the honest ones too: the agreeing task vouched for none
        await().until(() -> api().job(forged).has("recheck") && api().job(honestAlone).has("recheck"));
        assertThat(api().job(forged).get("recheck").get("workUnits").asInt()).isEqualTo(alone.size());
        assertThat(api().job(honestAlone).get("recheck").get("workUnits").asInt()).isEqualTo(honestlyAlone.size());
        await().until(() -> {
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            return api().job(forged).get("state").asString().equals("SUCCEEDED")
                    && api().job(honestAlone).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(forged).get("recheck").get("overturned").asInt()).isEqualTo(alone.size());
        assertThat(api().job(honestAlone).get("recheck").get("overturned").asInt()).isZero();
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM work_unit w JOIN result c ON c.id = w.canonical_result_id
                         WHERE w.job_id = :job AND c.output_hash <> (SELECT output_hash FROM result
                                                                    WHERE work_unit_id = w.id AND host_id = :honest)""")
                .param("job", forged).param("honest", honest.id()).query(Long.class).single())
                .as("every canonical output of the job is the honest host's").isZero();
        assertThat(api().get("/api/v1/hosts/" + turncoat.id()).json().get("quarantinedAt").isNull())
                .as("doubted, not convicted").isTrue();
        assertThat(api().get("/api/v1/hosts/" + turncoat.id()).json().get("validCount").asLong())
                .as("its voided results no longer count").isEqualTo(jdbc.sql(
                        "SELECT count(*) FROM result WHERE host_id = :h AND state = 'VALID'")
                        .param("h", turncoat.id()).query(Long.class).single());
    }

    /**
     * Two turncoats that share a replicated task agree on their one wrong output: the quorum is theirs, VALID for both,
     * and (since V79) vouches for nothing. So the turncoat's forged alone results before it are still doubted by its
     * next result judged invalid, and re-checked.
     */
    @Test
    void aQuorumOfTwoColludersVouchesForNeitherOfThem() {
        TestHost turncoat = volunteerHost("turncoat-pair", "primes");
        TestHost colluder = volunteerHost("colluder-pair", "primes");
        TestHost honest = volunteerHost("honest-pair", "primes");
        TestHost third = volunteerHost("third-pair", "primes");
        long earning = job(4, null);
        computeRight(turncoat, turncoat.drain());
        computeRight(colluder, colluder.drain());
        await().until(() -> api().job(earning).get("state").asString().equals("SUCCEEDED"));

        long forged = job(20, null);
        List<Task> tasks = turncoat.drain();
        List<Long> alone = aloneWorkUnits(forged);
        assertThat(alone).isNotEmpty();
        clock.advance(Duration.ofSeconds(1));
        for (Task t : tasks) {
            turncoat.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        computeRight(colluder, colluder.drain());
        await().until(() -> api().job(forged).get("state").asString().equals("SUCCEEDED"));

        // the two share a replicated task, sent after the forged reports, and return the same wrong output
        clock.advance(Duration.ofSeconds(1));
        long shared = job(1, "false");
        turncoat.succeed(turncoat.drain().get(0), "999");
        colluder.succeed(colluder.drain().get(0), "999");
        await().until(() -> api().job(shared).get("state").asString().equals("SUCCEEDED"));
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state = 'VALID'")
                .param("job", shared).query(Long.class).single()).as("their quorum won").isEqualTo(2);

        // then the turncoat is outvoted on a replicated task
        long caught = job(1, "false");
        turncoat.succeed(turncoat.drain().get(0), "999");
        computeRight(honest, honest.drain());
        computeRight(third, third.drain());
        await().until(() -> api().job(caught).get("state").asString().equals("SUCCEEDED"));

        await().until(() -> api().job(forged).has("recheck"));
        assertThat(api().job(forged).get("recheck").get("workUnits").asInt()).isEqualTo(alone.size());
        await().until(() -> {
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            return api().job(forged).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(forged).get("recheck").get("overturned").asInt()).isEqualTo(alone.size());
    }

    /**
     * A turncoat whose forged alone results were vouched for (a spot check sent after them passed, as one whose known
     * answer colluders had won would) escapes a doubt; once its invalid results quarantine it, every result it had
     * accepted alone is re-checked all the same.
     */
    @Test
    void aHostQuarantinedForInvalidResultsHasEveryAloneResultReChecked() {
        TestHost liar = volunteerHost("liar", "primes");
        TestHost honest = volunteerHost("honest-too", "primes");
        TestHost third = volunteerHost("third-too", "primes");
        long earning = job(4, null);
        computeRight(liar, liar.drain());
        computeRight(honest, honest.drain());
        await().until(() -> api().job(earning).get("state").asString().equals("SUCCEEDED"));

        long forged = job(20, null);
        List<Task> tasks = liar.drain();
        List<Long> alone = aloneWorkUnits(forged);
        assertThat(alone).isNotEmpty();
        clock.advance(Duration.ofSeconds(1));
        for (Task t : tasks) {
            liar.succeed(t, alone.contains(t.getWorkUnitId()) ? "999" : Primes.count(t.getIndex()));
        }
        computeRight(honest, honest.drain());
        await().until(() -> api().job(forged).get("state").asString().equals("SUCCEEDED"));
        // a spot check (none here: rate 0) sent after the forged reports passed: written as HostTrustTable does
        clock.advance(Duration.ofSeconds(1));
        jdbc.sql("UPDATE host_app_trust SET vouched_at = :sent WHERE host_id = :h AND app = 'primes'")
                .param("sent", Timestamp.from(clock.instant())).param("h", liar.id()).update();

        // then wrong where it is replicated too, until its invalid rate quarantines it (about 7 invalid results)
        lieUntilQuarantined(liar, honest, third);
        await().until(() -> api().job(forged).has("recheck"));
        assertThat(api().job(forged).get("recheck").get("workUnits").asInt()).isEqualTo(alone.size());
        await().until(() -> {
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            return api().job(forged).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(api().job(forged).get("recheck").get("overturned").asInt()).isEqualTo(alone.size());
    }

    private boolean quarantineScanned(TestHost host) {
        return jdbc.sql("SELECT quarantine_scanned_at IS NOT NULL FROM host WHERE id = :h").param("h", host.id())
                .query(Boolean.class).single();
    }

    private boolean succeeded(long job) {
        return api().job(job).get("state").asString().equals("SUCCEEDED");
    }

    /** Whether the job's one work unit's canonical output is the one {@code host} reported. */
    private boolean canonicalIs(long job, TestHost host) {
        return jdbc.sql("""
                        SELECT c.output_hash = r.output_hash
                          FROM work_unit w JOIN result c ON c.id = w.canonical_result_id
                          JOIN result r ON r.work_unit_id = w.id AND r.host_id = :h
                         WHERE w.job_id = :job""")
                .param("job", job).param("h", host.id()).query(Boolean.class).single();
    }

    /**
     * Two colluders win a replicated quorum together (the same wrong output) while both are in good standing, and
     * are quarantined later for their invalid rate, never convicted: the second quarantine's one pass over its
     * results lists the work unit, the re-checker voids the pair's results, and two other hosts compute it again.
     */
    @Test
    void aQuorumWonByTwoHostsQuarantinedLaterIsComputedAgainByOthers() {
        TestHost one = volunteerHost("colluder-one", "primes");
        TestHost two = volunteerHost("colluder-two", "primes");
        TestHost honest = volunteerHost("honest-three", "primes");
        TestHost third = volunteerHost("third-three", "primes");
        long won = job(1, "false");
        one.drain().forEach(t -> one.succeed(t, "999"));
        two.drain().forEach(t -> two.succeed(t, "999"));
        await().until(() -> succeeded(won));
        assertThat(canonicalIs(won, one)).isTrue();

        // wrong where they are replicated beside honest hosts, until their invalid rates quarantine them
        lieUntilQuarantined(one, honest, third);
        await().until(() -> quarantineScanned(one));
        assertThat(api().job(won).has("recheck")).as("its partner is in good standing still: the group stands")
                .isFalse();
        lieUntilQuarantined(two, honest, third);

        await().until(() -> api().job(won).has("recheck"));
        await().until(() -> {
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            return succeeded(won);
        });
        assertThat(api().job(won).get("recheck").get("overturned").asInt()).isEqualTo(1);
        assertThat(canonicalIs(won, honest)).isTrue();
        assertThat(jdbc.sql("SELECT state FROM result WHERE job_id = :job AND host_id IN (:one, :two)")
                .param("job", won).param("one", one.id()).param("two", two.id()).query(String.class).list())
                .as("voided as doubted results are, not counted as invalid").containsOnly("CANCELLED");
    }

    /**
     * A quorum won by a host quarantined (by the admin here) and one in good standing stands, whichever of the two is
     * quarantined; a host released and quarantined again gets a new pass, which finds both quarantined.
     */
    @Test
    void aQuorumHoldingAHostInGoodStandingStandsAndEachQuarantineHasItsOwnPass() {
        TestHost first = volunteerHost("quarantined-first", "primes");
        TestHost partner = volunteerHost("partner-in-good-standing", "primes");
        TestHost honest = volunteerHost("honest-four", "primes");
        TestHost third = volunteerHost("third-four", "primes");
        long won = job(1, "false");
        first.drain().forEach(t -> first.succeed(t, "999"));
        partner.drain().forEach(t -> partner.succeed(t, "999"));
        await().until(() -> succeeded(won));

        String quarantine = "{\"reason\":\"looks odd\"}";
        assertThat(api().post("/api/v1/admin/hosts/" + first.id() + "/quarantine", quarantine).status())
                .isEqualTo(200);
        await().until(() -> quarantineScanned(first));
        api().postRaw("/api/v1/admin/hosts/" + first.id() + "/release", null, null);
        assertThat(jdbc.sql("""
                        SELECT quarantine_seen_at IS NULL AND quarantine_scanned_at IS NULL FROM host WHERE id = :h""")
                .param("h", first.id()).query(Boolean.class).single()).as("the release forgets the pass").isTrue();
        assertThat(api().post("/api/v1/admin/hosts/" + partner.id() + "/quarantine", quarantine).status())
                .isEqualTo(200);
        await().until(() -> quarantineScanned(partner));
        await().until(() -> jdbc.sql("SELECT count(*) FROM recheck_work_unit").query(Long.class).single() == 0);
        assertThat(api().job(won).has("recheck")).as("one of the two is in good standing each time").isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state = 'VALID'").param("job", won)
                .query(Long.class).single()).isEqualTo(2);

        // quarantined again: its new pass finds both hosts of the group quarantined
        assertThat(api().post("/api/v1/admin/hosts/" + first.id() + "/quarantine", quarantine).status())
                .isEqualTo(200);
        await().until(() -> api().job(won).has("recheck"));
        await().until(() -> {
            computeRight(honest, honest.drain());
            computeRight(third, third.drain());
            return succeeded(won);
        });
        assertThat(api().job(won).get("recheck").get("overturned").asInt()).isEqualTo(1);
        assertThat(canonicalIs(won, honest)).isTrue();
    }

    /**
     * A quarantine for timed-out tasks (a flaky machine, or every worker of a coordinator that was down a while) doubts
     * nothing: a quorum its hosts won stands and gets no pass, while a quarantine by the admin noted in the same sweep
     * gets one. (EndToEndIT's killed coordinator had all three workers quarantined for timeouts, and every quorum they
     * had won re-opened for lack of other volunteers.)
     */
    @Test
    void aQuorumOfHostsQuarantinedForTimeoutsStands() {
        TestHost one = volunteerHost("flaky-one", "primes");
        TestHost two = volunteerHost("flaky-two", "primes");
        TestHost odd = volunteerHost("looks-odd", "primes");
        long won = job(1, "false");
        computeRight(one, one.drain());
        computeRight(two, two.drain());
        await().until(() -> succeeded(won));

        for (TestHost h : List.of(one, two)) {
            jdbc.sql("INSERT INTO host_tally (host_id, timed_out, credit) VALUES (:h, 20, 0)").param("h", h.id())
                    .update();
        }
        await().until(() -> jdbc.sql("SELECT count(*) FROM host WHERE id IN (:one, :two) AND quarantined_at IS NOT NULL")
                .param("one", one.id()).param("two", two.id()).query(Long.class).single() == 2);
        assertThat(api().post("/api/v1/admin/hosts/" + odd.id() + "/quarantine", "{\"reason\":\"looks odd\"}")
                .status()).isEqualTo(200);
        await().until(() -> quarantineScanned(odd));

        assertThat(jdbc.sql("SELECT count(*) FROM host WHERE id IN (:one, :two) AND quarantine_seen_at IS NULL")
                .param("one", one.id()).param("two", two.id()).query(Long.class).single())
                .as("no pass for a quarantine for timeouts").isEqualTo(2);
        assertThat(jdbc.sql("SELECT count(*) FROM recheck_work_unit").query(Long.class).single()).isZero();
        assertThat(api().job(won).has("recheck")).isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :job AND state = 'VALID'").param("job", won)
                .query(Long.class).single()).isEqualTo(2);
    }
}
