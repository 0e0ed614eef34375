package dev.starling.coordinator.volunteer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.RequestWorkRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Volunteers over real HTTP and gRPC with the default settings (open sign-up, no anonymous hosts): sign-up, their
 * own view, key rotation, and what a worker's account key does at registration.
 */
class VolunteerApiTest extends CoordinatorTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    private TestHost host(String accountKey, String name) {
        return closedAfterTest(TestHost.registered(grpcPort(), accountKey, name, "primes"));
    }

    @Test
    void signUpAnswersTheAccountKeyOnceAndTheVolunteerSeesThemselves() {
        TestApi.Response r = anonymous().post("/api/v1/volunteers", "{\"name\":\"Grace\",\"email\":\"grace@example.org\"}");

        assertThat(r.status()).isEqualTo(201);
        String key = r.json().get("accountKey").asString();
        assertThat(key).startsWith("sv_" + r.json().get("id").asLong() + "_");
        JsonNode me = anonymous().withKey(key).get("/api/v1/volunteers/me").json();
        assertThat(me.get("name").asString()).isEqualTo("Grace");
        assertThat(me.get("email").asString()).isEqualTo("grace@example.org");
        assertThat(me.get("credit").asDouble()).isZero();
        assertThat(me.get("hosts")).isEmpty();
        assertThat(me.toString()).doesNotContain(key);
    }

    @Test
    void aBadSignUpIsA400NamingTheFieldsAndATakenEmailA409() {
        TestApi.Response bad = anonymous().post("/api/v1/volunteers", "{\"name\":\"\",\"email\":\"nope\"}");
        anonymous().post("/api/v1/volunteers", "{\"name\":\"Ann\",\"email\":\"ann@example.org\"}");
        TestApi.Response taken = anonymous().post("/api/v1/volunteers", "{\"name\":\"Ann 2\",\"email\":\"ANN@example.org\"}");
        TestApi.Response unknownField = anonymous().post("/api/v1/volunteers", "{\"name\":\"x\",\"email\":\"x@y.z\",\"admin\":true}");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("name", "email");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("detail").asString()).contains("exists already");
        assertThat(unknownField.status()).isEqualTo(400);
    }

    @Test
    void theOwnViewNeedsTheAccountKey() {
        assertThat(anonymous().get("/api/v1/volunteers/me").status()).isEqualTo(401);
        assertThat(anonymous().get("/api/v1/volunteers/me").json().get("detail").asString()).contains("account key");
        assertThat(anonymous().withKey("sv_1_wrong").get("/api/v1/volunteers/me").status()).isEqualTo(401);
        assertThat(api().get("/api/v1/volunteers/me").status()).as("the admin is no volunteer").isEqualTo(403);
    }

    @Test
    void aHostRegisteredWithTheAccountKeyIsTheVolunteers() {
        String key = signUp("owner");
        TestHost h = host(key, "owned-host");

        JsonNode me = anonymous().withKey(key).get("/api/v1/volunteers/me").json();

        assertThat(me.get("hosts")).singleElement().satisfies(v -> {
            assertThat(v.get("id").asLong()).isEqualTo(h.id());
            assertThat(v.get("name").asString()).isEqualTo("owned-host");
            assertThat(v.get("volunteerId").asLong()).isEqualTo(me.get("id").asLong());
        });
    }

    @Test
    void aWorkerWithoutAnAccountKeyOrWithAWrongOneIsRefusedAtRegistration() {
        for (String key : List.of("", "sv_1_wrong", "sr_1_a-researchers-key", "garbage")) {
            TestHost h = closedAfterTest(new TestHost(grpcPort(), key));
            assertThatThrownBy(() -> h.register("nobody", "primes"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(e.getStatus().getDescription()).contains("--account-key");
                    });
        }
        assertThat(api().get("/api/v1/hosts").json().get("items").toString()).doesNotContain("\"nobody\"");
    }

    @Test
    void rotatingTheKeyRetiresTheOldOneButTheVolunteersHostsKeepWorking() {
        String old = signUp("rotator");
        TestHost h = host(old, "rotators-host");

        TestApi.Response rotated = anonymous().withKey(old).postRaw("/api/v1/volunteers/me/key", null, null);

        assertThat(rotated.status()).isEqualTo(200);
        String fresh = rotated.json().get("accountKey").asString();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(anonymous().withKey(old).get("/api/v1/volunteers/me").status()).isEqualTo(401);
        assertThat(anonymous().withKey(fresh).get("/api/v1/volunteers/me").json().get("hosts")).hasSize(1);
        assertThat(h.requestWork(1)).as("the host token still works").isEmpty();
        TestHost again = closedAfterTest(new TestHost(grpcPort(), old));
        assertThatThrownBy(() -> again.register("rotators-second-host", "primes"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("unknown account key"));
    }

    @Test
    void aReturningHostNeedsNoKeyButStaysItsVolunteersAndAnotherVolunteersKeyMakesANewHost() {
        String alice = signUp("alice");
        String bob = signUp("bob");
        TestHost h = host(alice, "shared-machine");

        var back = h.stub(false).register(h.registration("shared-machine").setHostId(h.id()).setHostToken(h.token())
                .setAccountKey("").build());
        var moved = h.stub(false).register(h.registration("shared-machine").setHostId(h.id()).setHostToken(h.token())
                .setAccountKey(bob).build());

        assertThat(back.getHostId()).isEqualTo(h.id());
        assertThat(moved.getHostId()).as("a host belongs to one volunteer for good").isNotEqualTo(h.id());
        assertThat(anonymous().withKey(alice).get("/api/v1/volunteers/me").json().get("hosts")).hasSize(1);
        assertThat(anonymous().withKey(bob).get("/api/v1/volunteers/me").json().get("hosts").get(0).get("id").asLong())
                .isEqualTo(moved.getHostId());
        // the host token keeps working for gRPC calls
        assertThat(h.stub(true).requestWork(RequestWorkRequest.newBuilder().setMaxTasks(1).build()).getTasksList()).isEmpty();
    }
}
