package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.coordinator.dashboard.AdminSession;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RequestWorkResponse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Every empty RequestWork answer says why, over real gRPC on a real database, and the host's row keeps the reason
 * until it is given tasks; a job whose work units wait for more volunteers says so in its view and on the dashboard.
 */
class NoWorkReasonsTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        // the clock stands still: replicas sent in a test stay "moments ago" until it moves
        registry.add("starling.dispatch.replica-gap", () -> "500ms");
        // a host registering with worker 0.9.0 is old; the tests' "test" workers are development builds, taken as
        // current here (by default a version that names no release is older than every release: WorkerProtocolTest)
        registry.add("starling.workers.release", () -> "1.0.0");
        registry.add("starling.workers.dev-builds-current", () -> "true");
        registry.add("starling.apps.refresh-interval", () -> "100ms");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private TestHost host(String accountKey, String name, String... apps) {
        return closedAfterTest(TestHost.registered(grpcPort(), accountKey, name, apps));
    }

    /** A job of {@code app} (primes or checksum) with {@code units} work units of {@code replicas}, split. */
    private long job(String app, int units, int replicas) {
        String params = app.equals("primes") ? "{\"from\":0,\"to\":" + units * 1000 + ",\"chunkSize\":1000}"
                : "{\"workUnits\":" + units + ",\"rounds\":10}";
        long id = api().submit("{\"app\":\"" + app + "\",\"params\":" + params + ",\"redundancy\":{\"quorum\":"
                + replicas + ",\"initialReplicas\":" + replicas + "}}");
        await().until(() -> api().job(id).get("workUnits").get("unsplit").asLong() == 0
                && api().job(id).get("workUnits").get("total").asLong() == units);
        return id;
    }

    /** Why the host's call gets nothing (it must get nothing). */
    private static NoWork why(TestHost host) {
        RequestWorkResponse answer = host.poll(10);
        assertThat(answer.getTasksList()).isEmpty();
        assertThat(answer.hasNoWork()).as("an empty answer says why").isTrue();
        return answer.getNoWork();
    }

    /** The reason kept on the host's row; null when none. */
    private String recorded(TestHost host) {
        return jdbc.sql("SELECT no_work FROM host WHERE id = ?").param(host.id())
                .query((rs, i) -> java.util.Optional.ofNullable(rs.getString(1))).single().orElse(null);
    }

    private Instant recordedAt(TestHost host) {
        return jdbc.sql("SELECT no_work_at FROM host WHERE id = ?").param(host.id()).query(Timestamp.class).single()
                .toInstant();
    }

    @Test
    void nothingQueuedForItsAppsIsSaidAndKeptOnItsRowWrittenOnlyWhenItChangesUntilItGetsWork() {
        TestHost host = volunteerHost("idle", "primes");

        NoWork why = why(host);

        assertThat(why.getReason()).isEqualTo(NoWork.Reason.NO_WORK);
        assertThat(why.getMessage()).startsWith("no work is queued for the apps this host runs (primes)");
        assertThat(recorded(host)).isEqualTo("NO_WORK");
        Instant first = recordedAt(host);
        clock.advance(Duration.ofMinutes(1));
        assertThat(why(host).getReason()).isEqualTo(NoWork.Reason.NO_WORK);
        assertThat(recordedAt(host)).as("the same reason is not written again").isEqualTo(first);

        job("primes", 1, 1);
        assertThat(host.requestWork(1)).hasSize(1);
        assertThat(recorded(host)).as("forgotten once it gets work").isNull();
    }

    @Test
    void aReplicaOnThisHostOrTheVolunteersOtherHostOrOneSentMomentsAgoIsSaid() {
        String alice = signUp("alice");
        TestHost laptop = host(alice, "alice-laptop", "primes");
        TestHost desktop = host(alice, "alice-desktop", "primes");
        TestHost bob = host(signUp("bob"), "bob-pc", "primes");
        job("primes", 3, 2);
        assertThat(laptop.requestWork(10)).hasSize(3);

        NoWork own = why(laptop);
        NoWork volunteers = why(desktop);
        NoWork moments = why(bob);

        assertThat(own.getReason()).isEqualTo(NoWork.Reason.HAS_REPLICA);
        assertThat(own.getMessage()).contains("has a replica on this host already");
        assertThat(volunteers.getReason()).isEqualTo(NoWork.Reason.HAS_REPLICA);
        assertThat(volunteers.getMessage()).contains("another of its volunteer's hosts", "distinct volunteers");
        assertThat(moments.getReason()).as("a work unit's replicas are sent apart").isEqualTo(NoWork.Reason.HANDED_OUT);
        clock.advance(Duration.ofSeconds(1));
        assertThat(bob.requestWork(10)).hasSize(3);
    }

    @Test
    void workNeedingMoreThanTheHostOffersOrANewerWorkerSaysWhat() {
        TestApi owner = anonymous().withKey(researcherKey("owner"));
        assertThat(owner.deploy("{\"name\":\"big\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":48,"
                + "\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                + "\"credit\":{\"perWorkUnit\":1}}", WasmModules.command("big")).status()).isEqualTo(201);
        long job = owner.submit("{\"app\":\"big@1.0.0\",\"params\":{\"workUnits\":[{\"args\":[\"0\"]}]},"
                + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        await().until(() -> owner.job(job).get("workUnits").get("unsplit").asLong() == 0);
        TestHost tight = closedAfterTest(new TestHost(grpcPort(), signUp("tight")));
        tight.registerWasm("tight", 32, "primes");
        TestHost javaOnly = volunteerHost("java-only", "primes");
        TestHost old = closedAfterTest(new TestHost(grpcPort(), signUp("old")));
        old.register(old.registration("old", "primes").setWorkerVersion("0.9.0").build());

        NoWork memory = why(tight);
        NoWork wasm = why(javaOnly);
        NoWork tooOld = why(old);

        assertThat(memory.getReason()).isEqualTo(NoWork.Reason.NEEDS_CAPABILITY);
        assertThat(memory.getMessage()).contains("big@1.0.0", "needs 48 MiB", "gives it 32 MiB");
        assertThat(wasm.getReason()).isEqualTo(NoWork.Reason.NEEDS_CAPABILITY);
        assertThat(wasm.getMessage()).contains("big@1.0.0", "--wasm-memory 48");
        assertThat(tooOld.getReason()).isEqualTo(NoWork.Reason.WORKER_TOO_OLD);
        assertThat(tooOld.getMessage()).contains("big@1.0.0", "install Starling worker 1.0.0");
        TestHost roomy = closedAfterTest(new TestHost(grpcPort(), signUp("roomy")));
        roomy.registerWasm("roomy", 64);
        assertThat(roomy.requestWork(10)).hasSize(1);
    }

    @Test
    void aQuarantinedHostThatHadItsTasksForTodaySaysSo() {
        TestHost suspect = volunteerHost("suspect", "primes");
        jdbc.sql("""
                        UPDATE host SET quarantined_at = ?, quarantine_reason = 'most of its recent results were invalid',
                                        quota_day = ?, quota_used = 20
                         WHERE id = ?""")
                .param(Timestamp.from(clock.instant())).param(Date.valueOf(HostStanding.day(clock.instant())))
                .param(suspect.id()).update();

        NoWork why = why(suspect);

        assertThat(why.getReason()).isEqualTo(NoWork.Reason.QUARANTINED);
        assertThat(why.getMessage()).contains("most of its recent results were invalid", "20 tasks a day");
    }

    @Test
    void aPausedHostIsToldItIsPaused() {
        String key = signUp("napper");
        TestHost host = host(key, "napper", "primes");
        anonymous().withKey(key).postRaw("/api/v1/volunteers/me/hosts/" + host.id() + "/pause", null, null);

        RequestWorkResponse answer = host.poll(0);

        assertThat(answer.getNoWork().getReason()).isEqualTo(NoWork.Reason.PAUSED);
        assertThat(answer.getNoWork().getMessage()).contains("resume it");
    }

    @Test
    void aJobWhoseWorkUnitsWaitForMoreVolunteersSaysSoInItsViewAndOnTheDashboard() {
        String carol = signUp("carol");
        TestHost one = host(carol, "carol-1", "checksum");
        TestHost two = host(carol, "carol-2", "checksum");
        long job = job("checksum", 2, 2);
        assertThat(api().job(job).has("waiting")).as("nobody has a replica yet").isFalse();

        assertThat(one.requestWork(10)).hasSize(2);
        JsonNode waiting = api().job(job).get("waiting");

        assertThat(waiting.get("reason").asString()).isEqualTo("TOO_FEW_VOLUNTEERS");
        assertThat(waiting.get("workUnits").asLong()).isEqualTo(2);
        assertThat(waiting.get("able").asInt()).isEqualTo(1);
        assertThat(waiting.get("message").asString()).contains("only 1 volunteer that can run checksum");
        assertThat(why(two).getReason()).isEqualTo(NoWork.Reason.HAS_REPLICA);
        assertThat(AdminSession.login(httpPort, ADMIN_PASSWORD).api.get("/dashboard/jobs/" + job).body())
                .contains("id=\"job-waiting\"", "2 work units wait for volunteers that have no replica of them yet");

        TestHost dave = host(signUp("dave"), "dave", "checksum");
        assertThat(api().job(job).has("waiting")).as("dave can take them").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(dave.requestWork(10)).hasSize(2);
    }

    @Test
    void aJobNoHostCanRunSaysSo() {
        long job = api().submit("{\"app\":\"integrate\",\"params\":{\"function\":\"sin\",\"a\":0,\"b\":1,"
                + "\"intervals\":1000,\"workUnits\":2}}");
        await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);

        JsonNode waiting = api().job(job).get("waiting");

        assertThat(waiting.get("reason").asString()).isEqualTo("NO_HOSTS");
        assertThat(waiting.get("message").asString()).contains("no host that can run integrate");
    }
}
