package dev.starling.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Who may call what on the REST API, over real HTTP: no key, a bad key, a revoked key, another researcher's job
 * and blob, the admin's endpoints with a researcher's key, and what is open to anyone. (The admin's browser
 * session is in {@link BrowserSessionTest}.)
 */
class AccessRulesTest extends CoordinatorTest {
    private static final String PRIMES = "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000,\"chunkSize\":1000}}";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void jobsAndBlobsWithoutAKeyAre401ProblemsThatSayWhatIsNeeded() {
        long before = api().get("/api/v1/jobs").json().get("total").asLong();
        for (TestApi.Response r : List.of(anonymous().get("/api/v1/jobs"), anonymous().post("/api/v1/jobs", PRIMES),
                anonymous().get("/api/v1/jobs/1"), anonymous().postRaw("/api/v1/blobs", "application/octet-stream", "x"),
                anonymous().get("/api/v1/blobs/sha256:" + "ab".repeat(32)))) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asString()).contains("researcher's API key");
        }
        assertThat(api().get("/api/v1/jobs").json().get("total").asLong()).as("nothing was submitted").isEqualTo(before);
    }

    @Test
    void aBadOrMalformedKeyIs401AndNeverPassesAsAnonymous() {
        for (String key : List.of("sr_999999_nope", "sr_x_y", "garbage", "sv_1_unknown", "sr_1_")) {
            TestApi.Response jobs = anonymous().withKey(key).get("/api/v1/jobs");
            TestApi.Response apps = anonymous().withKey(key).get("/api/v1/apps");

            assertThat(jobs.status()).as(key).isEqualTo(401);
            assertThat(jobs.json().get("detail").asString()).contains("unknown, revoked or malformed");
            assertThat(apps.status()).as("a bad key is refused even where none is needed: " + key).isEqualTo(401);
        }
    }

    @Test
    void aRevokedKeyIsRefusedAtOnceAndTheResearchersOtherKeysKeepWorking() {
        JsonNode created = api().post("/api/v1/admin/researchers", "{\"name\":\"Ada\"}").json();
        long researcher = created.get("researcherId").asLong();
        TestApi first = anonymous().withKey(created.get("key").asString());
        JsonNode second = api().postRaw("/api/v1/admin/researchers/" + researcher + "/keys", null, null).json();
        long job = first.submit(PRIMES);

        TestApi.Response revoked = api().postRaw("/api/v1/admin/researchers/" + researcher + "/keys/"
                + created.get("keyId").asLong() + "/revoke", null, null);

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().get("revokedAt").isNull()).isFalse();
        assertThat(first.get("/api/v1/jobs/" + job).status()).isEqualTo(401);
        TestApi other = anonymous().withKey(second.get("key").asString());
        assertThat(other.get("/api/v1/jobs/" + job).status()).as("a key of the same researcher").isEqualTo(200);
        JsonNode listed = api().get("/api/v1/admin/researchers/" + researcher).json();
        assertThat(listed.get("keys")).hasSize(2);
        assertThat(listed.toString()).doesNotContain(created.get("key").asString()).doesNotContain("secret");
    }

    @Test
    void anotherResearchersJobIsNotFoundAndTheAdminSeesEveryJob() {
        TestApi alice = researcher("alice");
        TestApi bob = researcher("bob");
        long job = alice.submit(PRIMES);

        for (TestApi.Response r : List.of(bob.get("/api/v1/jobs/" + job), bob.get("/api/v1/jobs/" + job + "/result"),
                bob.get("/api/v1/jobs/" + job + "/workunits"), bob.postRaw("/api/v1/jobs/" + job + "/cancel", null, null))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().get("detail").asString()).isEqualTo("no job " + job);
        }
        assertThat(ids(bob.get("/api/v1/jobs?size=500").json())).doesNotContain(job);
        assertThat(bob.get("/api/v1/jobs").json().get("total").asLong()).isZero();
        assertThat(ids(alice.get("/api/v1/jobs?size=500").json())).containsExactly(job);
        assertThat(alice.job(job).get("state").asString()).isNotEqualTo("CANCELLED");
        assertThat(ids(api().get("/api/v1/jobs?size=500").json())).contains(job);
        assertThat(api().job(job).get("researcherId").asLong()).isPositive();
        assertThat(api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null).status()).isEqualTo(200);
    }

    @Test
    void anotherResearchersBlobIsNotFoundAndCannotBeNamedInAJob() {
        TestApi alice = researcher("alice-blobs");
        TestApi bob = researcher("bob-blobs");
        TestApi.Response uploaded = alice.postRaw("/api/v1/blobs", "application/octet-stream", "alice's words");
        String id = uploaded.json().get("id").asString();

        assertThat(uploaded.status()).isEqualTo(201);
        assertThat(alice.get("/api/v1/blobs/" + id).body()).isEqualTo("alice's words");
        assertThat(bob.get("/api/v1/blobs/" + id).status()).isEqualTo(404);
        TestApi.Response job = bob.post("/api/v1/jobs", "{\"app\":\"wordcount\",\"params\":{\"input\":\"" + id + "\"}}");
        assertThat(job.status()).isEqualTo(400);
        assertThat(job.json().get("detail").asString()).contains("no blob " + id);
        assertThat(api().get("/api/v1/blobs/" + id).status()).as("the admin reads every blob").isEqualTo(200);
        // the same bytes uploaded by bob are his too
        bob.postRaw("/api/v1/blobs", "application/octet-stream", "alice's words");
        assertThat(bob.get("/api/v1/blobs/" + id).status()).isEqualTo(200);
    }

    @Test
    void hostsTheAdminApiAndVolunteersListAreTheAdminsOnly() {
        TestApi researcher = researcher("curious");
        TestApi volunteer = anonymous().withKey(signUp("nosy"));
        for (String path : List.of("/api/v1/hosts", "/api/v1/admin/researchers", "/api/v1/admin/volunteers")) {
            TestApi.Response none = anonymous().get(path);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.json().get("detail").asString()).contains("the admin's credentials");
            assertThat(researcher.get(path).status()).as(path).isEqualTo(403);
            assertThat(researcher.get(path).json().get("detail").asString()).contains("the admin's credentials");
            assertThat(volunteer.get(path).status()).as(path).isEqualTo(403);
            assertThat(api().get(path).status()).as(path).isEqualTo(200);
        }
        assertThat(researcher.post("/api/v1/admin/researchers", "{\"name\":\"me too\"}").status()).isEqualTo(403);
        assertThat(volunteer.get("/api/v1/jobs").status()).as("a volunteer is no researcher").isEqualTo(403);
        assertThat(researcher.get("/api/v1/volunteers/me").status()).isEqualTo(403);
    }

    @Test
    void aPathTheApiDoesNotHaveIsNotFoundWhoeverCallsIt() {
        TestApi researcher = researcher("lost");
        TestApi volunteer = anonymous().withKey(signUp("lost-volunteer"));
        for (TestApi caller : List.of(anonymous(), researcher, volunteer, api())) {
            for (String path : List.of("/api/v1/nope", "/api/v1/admin/nope", "/api/v1/hosts/1/nope", "/actuator/nope")) {
                TestApi.Response r = caller.get(path);

                assertThat(r.status()).as(path).isEqualTo(404);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().get("type").asString()).isEqualTo("https://starling.dev/problems/not-found");
                assertThat(r.json().get("detail").asString()).startsWith("no such path: " + path);
            }
        }
        TestApi.Response errorPage = anonymous().get("/error"); // where the container sends errors; no page of its own
        assertThat(errorPage.status()).isEqualTo(404);
        assertThat(errorPage.json().get("type").asString()).isEqualTo("https://starling.dev/problems/not-found");
        // a path that is there is refused with any method; wrong credentials are refused on any path
        assertThat(researcher.send(researcher.request("/api/v1/hosts").DELETE().build()).status()).isEqualTo(403);
        assertThat(anonymous().send(anonymous().request("/api/v1/hosts").DELETE().build()).status()).isEqualTo(401);
        assertThat(anonymous().withKey("sr_999999_nope").get("/api/v1/nope").status()).isEqualTo(401);
        assertThat(anonymous().asAdmin("not-the-password").get("/api/v1/nope").status()).isEqualTo(401);
    }

    @Test
    void aWrongAdminPasswordIs401AndTheAdminApiValidatesItsInput() {
        TestApi.Response wrong = anonymous().asAdmin("not-the-password").get("/api/v1/hosts");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("detail").asString()).isEqualTo("wrong admin user name or password");

        TestApi.Response blank = api().post("/api/v1/admin/researchers", "{\"name\":\" \"}");
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.json().get("errors").get(0).get("field").asString()).isEqualTo("name");
        assertThat(api().postRaw("/api/v1/admin/researchers/999999/keys", null, null).status()).isEqualTo(404);
        assertThat(api().postRaw("/api/v1/admin/researchers/1/keys/999999/revoke", null, null).status()).isEqualTo(404);
    }

    @Test
    void appsLeaderboardHealthAndTheApiDocsAreOpenToAnyone() {
        assertThat(anonymous().get("/api/v1/apps").status()).isEqualTo(200);
        assertThat(anonymous().get("/api/v1/leaderboard").status()).isEqualTo(200);
        assertThat(anonymous().get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
        assertThat(anonymous().get("/actuator/info").status()).as("the rest of Actuator is the admin's").isEqualTo(401);
        assertThat(api().get("/actuator/info").status()).isEqualTo(200);
    }

    @Test
    void apiAnswersCarryTheSecurityHeaders() {
        var r = anonymous().exchange(anonymous().request("/api/v1/apps").GET().build());

        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(r.headers().firstValue("Set-Cookie")).as("the API never makes a session").isEmpty();
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("items").forEach(j -> ids.add(j.get("id").asLong()));
        return ids;
    }
}
