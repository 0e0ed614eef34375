package dev.starling.coordinator.researcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The admin's quotas of a researcher: over one, a submit, upload or deploy is refused and stores nothing. */
class QuotaTest extends CoordinatorTest {
    /** primes in 20 work units */
    private static final String TWENTY = "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":20000,\"chunkSize\":1000}}";
    private static final String FORTY = "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":40000,\"chunkSize\":1000}}";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void aResearcherOverTheirJobQuotasIsRefusedNamingTheQuotaItsLimitAndUse() {
        String key = researcherKey("quota-jobs");
        long id = idOf(key);
        TestApi researcher = anonymous().withKey(key);
        assertThat(setQuotas(id, "{\"runningJobs\":1,\"queuedWorkUnits\":30}").status()).isEqualTo(200);

        long first = researcher.submit(TWENTY);
        TestApi.Response second = researcher.post("/api/v1/jobs", TWENTY);

        assertThat(second.status()).isEqualTo(403);
        assertThat(second.contentType()).startsWith("application/problem+json");
        JsonNode problem = second.json();
        assertThat(problem.get("type").asString()).endsWith("quota-exceeded");
        assertThat(problem.get("quota").asString()).isEqualTo("runningJobs");
        assertThat(problem.get("limit").asLong()).isEqualTo(1);
        assertThat(problem.get("used").asLong()).isEqualTo(1);
        assertThat(problem.get("detail").asString()).contains("1 unfinished jobs");
        assertThat(researcher.get("/api/v1/jobs").json().get("total").asLong()).as("nothing stored").isEqualTo(1);

        assertThat(researcher.post("/api/v1/jobs/" + first + "/cancel", "").status()).isEqualTo(200);
        TestApi.Response tooMany = researcher.post("/api/v1/jobs", FORTY);
        assertThat(tooMany.status()).isEqualTo(403);
        assertThat(tooMany.json().get("quota").asString()).isEqualTo("queuedWorkUnits");
        assertThat(tooMany.json().get("limit").asLong()).isEqualTo(30);
        assertThat(tooMany.json().get("used").asLong()).isZero();
        assertThat(tooMany.json().get("requested").asLong()).isEqualTo(40);
        researcher.submit(TWENTY);

        JsonNode view = api().get("/api/v1/admin/researchers/" + id + "/quotas").json();
        assertThat(view.get("limits").get("runningJobs").asLong()).isEqualTo(1);
        assertThat(view.get("use").get("runningJobs").asLong()).isEqualTo(1);
        assertThat(view.get("use").get("queuedWorkUnits").asLong()).isEqualTo(20);
        // another researcher is not limited by these
        researcher("quota-other").submit(FORTY);
    }

    @Test
    void anUploadOverTheStoredBytesQuotaIsRefusedAndTheBlobIsNotTheirs() {
        String key = researcherKey("quota-bytes");
        long id = idOf(key);
        TestApi researcher = anonymous().withKey(key);
        assertThat(setQuotas(id, "{\"storedBytes\":100}").status()).isEqualTo(200);
        byte[] sixty = "a".repeat(60).getBytes(StandardCharsets.UTF_8);
        byte[] other = "b".repeat(60).getBytes(StandardCharsets.UTF_8);

        researcher.upload(sixty);
        researcher.upload(sixty); // the same blob again counts once
        TestApi.Response refused = researcher.send(researcher.request("/api/v1/blobs")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(other)).build());

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("quota").asString()).isEqualTo("storedBytes");
        assertThat(refused.json().get("used").asLong()).isEqualTo(60);
        assertThat(refused.json().get("requested").asLong()).isEqualTo(60);
        TestApi.Response whole = researcher.send(researcher.request("/api/v1/blobs")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[101])).build());
        assertThat(whole.status()).as("larger than the whole quota").isEqualTo(403);
        assertThat(whole.json().get("detail").asString()).contains("100 bytes in all");
        String otherId = api().upload(other); // the admin has no quota
        assertThat(researcher.get("/api/v1/blobs/" + otherId).status()).as("not recorded as theirs").isEqualTo(404);
        assertThat(api().get("/api/v1/admin/researchers/" + id + "/quotas").json().get("use").get("storedBytes")
                .asLong()).isEqualTo(60);
    }

    @Test
    void quotasAreTheAdminsToSetAndAreChecked() {
        String key = researcherKey("quota-admin");
        long id = idOf(key);

        assertThat(anonymous().withKey(key).send(anonymous().withKey(key).request("/api/v1/admin/researchers/" + id
                + "/quotas").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"runningJobs\":100}")).build()).status()).isEqualTo(403);
        TestApi.Response negative = setQuotas(id, "{\"storedBytes\":-1}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body()).contains("storedBytes");
        assertThat(setQuotas(id, "{\"runningJobs\":\"many\"}").status()).isEqualTo(400);
        assertThat(setQuotas(999_999, "{\"runningJobs\":1}").status()).isEqualTo(404);
        assertThat(api().get("/api/v1/admin/researchers/" + id + "/quotas").json().get("limits").get("storedBytes")
                .isNull()).as("nothing changed").isTrue();
    }

    @Test
    void aShareIsSetWithTheQuotasAndIsOneWhenMissing() {
        long id = idOf(researcherKey("share"));
        assertThat(api().get("/api/v1/admin/researchers/" + id + "/quotas").json().get("share").asInt()).isEqualTo(1);

        TestApi.Response set = setQuotas(id, "{\"share\":3,\"runningJobs\":2}");
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("share").asInt()).isEqualTo(3);
        assertThat(set.json().get("limits").get("runningJobs").asLong()).isEqualTo(2);

        for (String bad : List.of("0", "-1", "1000001", "\"three\"")) {
            TestApi.Response refused = setQuotas(id, "{\"share\":" + bad + "}");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.body()).as(bad).contains("share");
        }
        assertThat(api().get("/api/v1/admin/researchers/" + id + "/quotas").json().get("share").asInt())
                .as("nothing changed").isEqualTo(3);
        assertThat(setQuotas(id, "{}").json().get("share").asInt()).as("a PUT without a share sets 1").isEqualTo(1);
    }

    private TestApi.Response setQuotas(long id, String json) {
        return api().send(api().request("/api/v1/admin/researchers/" + id + "/quotas")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** The researcher id in a key {@code sr_<id>_<secret>}. */
    private static long idOf(String key) {
        return Long.parseLong(key.split("_")[1]);
    }
}
