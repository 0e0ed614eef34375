package dev.starling.coordinator.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import com.google.protobuf.ByteString;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The admin bans and unbans hosts over real HTTP; a banned host's gRPC calls are refused with the reason. */
class HostModerationTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void aBannedHostIsRefusedOnEveryCallWithTheReasonUntilItIsUnbanned() throws InterruptedException {
        try (TestHost h = volunteerHost("suspect", "primes")) {
            TestApi.Response ban = api().post("/api/v1/admin/hosts/" + h.id() + "/ban", "{\"reason\":\"forged results\"}");

            assertThat(ban.status()).isEqualTo(200);
            assertThat(ban.json().get("banReason").asString()).isEqualTo("forged results");
            assertThat(ban.json().get("bannedAt").isNull()).isFalse();
            for (Runnable call : new Runnable[] {() -> h.requestWork(1), () -> h.heartbeat(),
                    () -> h.stub(false).register(h.registration("suspect").setHostId(h.id()).setHostToken(h.token()).build())}) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("host " + h.id() + " is banned by the project's admin: forged results");
                });
            }

            JsonNode unban = api().postRaw("/api/v1/admin/hosts/" + h.id() + "/unban", null, null).json();
            assertThat(unban.get("bannedAt").isNull()).isTrue();
            assertThat(h.requestWork(1)).isEmpty();
        }
    }

    @Test
    void onlyTheAdminModeratesAndAnUnknownHostIsNotFound() throws InterruptedException {
        try (TestHost h = volunteerHost("innocent", "primes")) {
            TestApi researcher = researcher("meddler");

            assertThat(researcher.postRaw("/api/v1/admin/hosts/" + h.id() + "/ban", null, null).status()).isEqualTo(403);
            assertThat(anonymous().postRaw("/api/v1/admin/hosts/" + h.id() + "/ban", null, null).status()).isEqualTo(401);
            assertThat(api().postRaw("/api/v1/admin/hosts/999999/ban", null, null).status()).isEqualTo(404);
            assertThat(api().post("/api/v1/admin/hosts/" + h.id() + "/ban", "{\"reason\":\"" + "x".repeat(501) + "\"}")
                    .status()).isEqualTo(400);
            assertThat(h.requestWork(1)).as("nothing was banned").isEmpty();
            JsonNode banned = api().postRaw("/api/v1/admin/hosts/" + h.id() + "/ban", null, null).json();
            assertThat(banned.get("banReason").asString()).isEqualTo("banned by the admin");
        }
    }
    @Test
    void aBannedVolunteersHostsAndRegistrationsWithTheirKeyAreRefusedUntilTheBanIsLifted() throws InterruptedException {
        String key = signUp("spammer");
        try (TestHost first = closedAfterTest(TestHost.registered(grpcPort(), key, "spammer-1"));
                TestHost second = closedAfterTest(TestHost.registered(grpcPort(), key, "spammer-2"));
                TestHost other = volunteerHost("bystander")) {
            long volunteer = api().get("/api/v1/hosts/" + first.id()).json().get("volunteerId").asLong();
            assertThat(first.requestWork(1)).isEmpty(); // remembered as in good standing

            TestApi.Response ban = api().post("/api/v1/admin/volunteers/" + volunteer + "/ban", "{\"reason\":\"spam\"}");
            assertThat(ban.status()).isEqualTo(200);
            assertThat(ban.json().get("banReason").asString()).isEqualTo("spam");
            assertThat(ban.json().get("bannedAt").isNull()).isFalse();
            for (TestHost h : List.of(first, second)) {
                assertThatThrownBy(() -> h.requestWork(1)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("volunteer " + volunteer + ", who owns host "
                            + h.id() + ", is banned by the project's admin: spam");
                });
            }
            try (TestHost fresh = new TestHost(grpcPort(), key)) {
                assertThatThrownBy(() -> fresh.register("spammer-3")).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                            assertThat(e.getStatus().getDescription())
                                    .isEqualTo("volunteer " + volunteer + " is banned by the project's admin: spam");
                        });
            }
            assertThat(api().get("/api/v1/hosts?size=500").json().get("items")).as("no host was made")
                    .noneMatch(h -> h.get("name").asString().equals("spammer-3"));
            assertThat(other.requestWork(1)).as("another volunteer's host").isEmpty();
            assertThat(anonymous().withKey(key).get("/api/v1/volunteers/me").json().get("banReason").asString())
                    .isEqualTo("spam");

            assertThat(api().postRaw("/api/v1/admin/volunteers/" + volunteer + "/unban", null, null).json()
                    .get("bannedAt").isNull()).isTrue();
            assertThat(first.requestWork(1)).isEmpty();
            assertThat(second.requestWork(1)).isEmpty();
        }
    }

    @Test
    void onlyTheAdminBansVolunteersAndAnUnknownOneIsNotFound() {
        String key = signUp("member");
        long volunteer = anonymous().withKey(key).get("/api/v1/volunteers/me").json().get("id").asLong();
        assertThat(anonymous().withKey(key).postRaw("/api/v1/admin/volunteers/" + volunteer + "/ban", null, null).status())
                .isEqualTo(403);
        assertThat(anonymous().postRaw("/api/v1/admin/volunteers/" + volunteer + "/ban", null, null).status())
                .isEqualTo(401);
        assertThat(api().postRaw("/api/v1/admin/volunteers/999999/ban", null, null).status()).isEqualTo(404);
        assertThat(api().post("/api/v1/admin/volunteers/" + volunteer + "/ban", "{\"reason\":\"" + "x".repeat(501) + "\"}")
                .status()).isEqualTo(400);
        assertThat(api().get("/api/v1/admin/volunteers?size=500").json().get("items"))
                .filteredOn(v -> v.get("id").asLong() == volunteer).singleElement()
                .satisfies(v -> assertThat(v.get("bannedAt").isNull()).as("nothing was banned").isTrue());
    }

    @Test
    void aNewHostOfAVolunteerWhoseHostIsBannedStartsQuarantinedUntilTheAdminReleasesIt() throws InterruptedException {
        String key = signUp("rebrand");
        try (TestHost banned = closedAfterTest(TestHost.registered(grpcPort(), key, "rebrand-1"))) {
            api().post("/api/v1/admin/hosts/" + banned.id() + "/ban", "{\"reason\":\"forged results\"}");

            // the same volunteer (the same machine, its identity file deleted) registers again
            TestHost again = closedAfterTest(TestHost.registered(grpcPort(), key, "rebrand-2"));
            assertThat(again.id()).isNotEqualTo(banned.id());
            JsonNode view = api().get("/api/v1/hosts/" + again.id()).json();
            assertThat(view.get("quarantinedAt").isNull()).as("it does not escape the ban").isFalse();
            assertThat(view.get("quarantineReason").asString())
                    .isEqualTo("host " + banned.id() + " of the same volunteer is banned (forged results)");
            assertThat(view.get("bannedAt").isNull()).isTrue();
            assertThat(jdbc.sql("SELECT quarantine_scanned_at IS NOT NULL FROM host WHERE id = :h")
                    .param("h", again.id()).query(Boolean.class).single())
                    .as("no result of its own to list: no pass over result for this quarantine").isTrue();
            // its first call, right after Register (its token known without a lookup), is served as what it is
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},"
                    + "\"redundancy\":{\"quorum\":2}}");
            Task first = awaitTask(again);
            assertThat(jdbc.sql("SELECT quarantined FROM result WHERE id = :id").param("id", first.getResultId())
                    .query(Boolean.class).single()).as("claimed as a quarantined host's").isTrue();
            cancel(job);
            // the admin looks into it and lifts it
            api().postRaw("/api/v1/admin/hosts/" + again.id() + "/release", null, null);
            assertThat(api().get("/api/v1/hosts/" + again.id()).json().get("quarantinedAt").isNull()).isTrue();

            // another volunteer's new host is not touched
            try (TestHost stranger = volunteerHost("unrelated")) {
                assertThat(api().get("/api/v1/hosts/" + stranger.id()).json().get("quarantinedAt").isNull()).isTrue();
            }
        }
    }
    @Test
    void aRotatedTokenReplacesTheOldOneAtItsFirstUseAndTheHostKeepsItsTasks() throws InterruptedException {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        TestHost h = volunteerHost("rotating", "primes");
        Task task = awaitTask(h);
        assertThat(h.poll(1).getRotateToken()).as("nobody asked").isFalse();

        JsonNode asked = api().postRaw("/api/v1/admin/hosts/" + h.id() + "/rotate-token", null, null).json();
        assertThat(asked.get("tokenRotationAskedAt").isNull()).isFalse();
        assertThat(h.poll(1).getRotateToken()).isTrue();
        assertThat(h.heartbeat(task).getRotateToken()).isTrue();

        String old = h.rotateToken();
        assertThat(h.token()).isNotEqualTo(old).startsWith(h.id() + ".");
        assertThat(h.stubAs(old).heartbeat(HeartbeatRequest.getDefaultInstance()).getRotateToken())
                .as("the old token works until the new one is used").isTrue();
        assertThat(h.heartbeat(task).getRotateToken()).as("the new one, used: nothing more to do").isFalse();
        assertThatThrownBy(() -> h.stubAs(old).heartbeat(HeartbeatRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(h.succeed(task, "25").getStatus()).as("its task goes on").isEqualTo(ReportAck.Status.ACCEPTED);
        JsonNode view = api().get("/api/v1/hosts/" + h.id()).json();
        assertThat(view.get("tokenRotationAskedAt").isNull()).isTrue();
        assertThat(view.get("tokenRotatedAt").isNull()).isFalse();
        cancel(job);
    }

    @Test
    void aRevokedHostIsRefusedUntilItRegistersAgainWithItsVolunteersKeyAsItself() throws InterruptedException {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},"
                + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        String key = signUp("leaky");
        TestHost h = closedAfterTest(TestHost.registered(grpcPort(), key, "leaky", "primes"));
        Task task = awaitTask(h);
        String stolen = h.token();

        JsonNode revoked = api().postRaw("/api/v1/admin/hosts/" + h.id() + "/revoke-token", null, null).json();
        assertThat(revoked.get("tokenRevokedAt").isNull()).isFalse();
        assertThat(revoked.get("bannedAt").isNull()).as("no ban").isTrue();
        assertThatThrownBy(() -> h.heartbeat(task)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        // whoever holds the token alone cannot come back with it
        try (TestHost thief = new TestHost(grpcPort(), "")) {
            assertThatThrownBy(() -> thief.stub(false).register(thief.registration("leaky").setHostId(h.id())
                            .setHostToken(stolen).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(e.getStatus().getDescription()).contains("was revoked", "account key");
                    });
        }

        // the volunteer's worker comes back with the key: the same host, a new token, its task still its own
        RegisterResponse back = h.stub(false).register(h.registration("leaky").setHostId(h.id()).setHostToken(stolen).build());
        assertThat(back.getHostId()).isEqualTo(h.id());
        assertThat(back.getHostToken()).isNotEqualTo(stolen);
        TestHost again = closedAfterTest(new TestHost(grpcPort(), key));
        again.register("leaky-again", "primes");
        assertThat(again.id()).as("without the revoked host's id: a new host").isNotEqualTo(h.id());
        assertThat(h.stubAs(back.getHostToken()).reportResults(ReportResultsRequest.newBuilder()
                .addResults(TaskResult.newBuilder().setResultId(task.getResultId()).setSuccess(Success.newBuilder()
                        .setOutput(ByteString.copyFromUtf8("25")).setOutputHash(ContentAddress.of("25".getBytes()))
                        .setOutputSize(2))).build()).getAcks(0).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(api().get("/api/v1/hosts/" + h.id()).json().get("tokenRevokedAt").isNull()).isTrue();
        assertThat(api().postRaw("/api/v1/admin/hosts/999999/revoke-token", null, null).status()).isEqualTo(404);
        assertThat(researcher("nosy").postRaw("/api/v1/admin/hosts/" + h.id() + "/rotate-token", null, null).status())
                .isEqualTo(403);
        cancel(job);
    }

    private Task awaitTask(TestHost h) {
        List<Task> tasks = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            tasks.addAll(h.requestWork(1));
            return !tasks.isEmpty();
        });
        return tasks.get(0);
    }

    private void cancel(long job) {
        api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null);
    }
}
