package dev.starling.coordinator.volunteer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A coordinator whose sign-up is by invitation and which takes anonymous hosts. */
class InviteOnlyTest extends CoordinatorTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.volunteers.sign-up", () -> "invite");
        registry.add("starling.volunteers.anonymous-hosts", () -> "true");
    }

    @Test
    void onlyTheAdminCreatesVolunteerAccounts() {
        String body = "{\"name\":\"Invited\",\"email\":\"invited@example.org\"}";

        TestApi.Response closed = anonymous().post("/api/v1/volunteers", body);
        TestApi.Response byResearcher = researcher("helpful").post("/api/v1/volunteers", body);
        TestApi.Response byAdmin = api().post("/api/v1/volunteers", body);

        assertThat(closed.status()).as("no credentials where the admin's are needed").isEqualTo(401);
        assertThat(closed.contentType()).startsWith("application/problem+json");
        assertThat(closed.json().get("detail").asString()).contains("sign-up on this coordinator is by invitation");
        assertThat(byResearcher.status()).isEqualTo(403);
        assertThat(byAdmin.status()).isEqualTo(201);
        assertThat(anonymous().withKey(byAdmin.json().get("accountKey").asString()).get("/api/v1/volunteers/me").status())
                .isEqualTo(200);
        assertThat(api().get("/api/v1/admin/volunteers").json().get("total").asLong()).isEqualTo(1);
    }

    @Test
    void aWorkerWithoutAnAccountKeyRegistersAsAnAnonymousHost() throws InterruptedException {
        try (TestHost h = TestHost.registered(grpcPort(), "", "anonymous-host", "primes")) {
            assertThat(h.id()).isPositive();
            assertThat(h.requestWork(1)).isEmpty();
            assertThat(api().get("/api/v1/hosts").json().get("items").get(0).has("volunteerId")).isTrue();
            assertThat(api().get("/api/v1/hosts").json().get("items").get(0).get("volunteerId").isNull()).isTrue();
        }
    }
}
