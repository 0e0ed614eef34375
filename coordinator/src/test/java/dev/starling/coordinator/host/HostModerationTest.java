package dev.starling.coordinator.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The admin bans and unbans hosts over real HTTP; a banned host's gRPC calls are refused with the reason. */
class HostModerationTest extends CoordinatorTest {

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
}
