package dev.starling.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Prometheus metrics (the admin's) with Starling's domain meters, and the OpenAPI document and UI (anyone's). */
class ObservabilityTest extends CoordinatorTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void prometheusMetricsAreTheAdminsAndCountWhatHappened() throws InterruptedException {
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(researcher("peeker").get("/actuator/prometheus").status()).isEqualTo(403);
        double validatedBefore = value("starling_workunits_validated_total", "");

        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2000,\"chunkSize\":1000}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 2);
        try (TestHost a = volunteerHost("metered-a", "primes"); TestHost b = volunteerHost("metered-b", "primes")) {
            for (TestHost h : List.of(a, b)) {
                for (Task t : h.requestWork(10)) {
                    h.succeed(t, t.getIndex() == 0 ? "168" : "135");
                }
            }
            await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));

            clock.advance(Duration.ofSeconds(11)); // the gauges read the database at most every 10 s
            String metrics = api().get("/actuator/prometheus").body();
            assertThat(metrics).contains("starling_dispatch_latency_seconds_bucket", "starling_report_latency_seconds_count",
                    "starling_hosts_active ", "starling_hosts_quarantined ", "starling_hosts_banned ",
                    "starling_queue_depth ", "starling_tasks_in_progress ", "starling_jobs_active ",
                    "starling_transfer_bytes_total", "jvm_memory_used_bytes");
            assertThat(value("starling_workunits_validated_total", "")).isEqualTo(validatedBefore + 2);
            assertThat(value("starling_results_total", "outcome=\"valid\"")).isGreaterThanOrEqualTo(4);
            assertThat(value("starling_tasks_dispatched_total", "")).isGreaterThanOrEqualTo(4);
            assertThat(value("starling_hosts_active", "")).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theOpenApiDocumentDeclaresHowEachCallAuthenticates() {
        TestApi.Response docs = anonymous().get("/v3/api-docs");

        assertThat(docs.status()).isEqualTo(200);
        JsonNode api = docs.json();
        JsonNode schemes = api.get("components").get("securitySchemes");
        assertThat(schemes.get("researcherKey").get("scheme").asString()).isEqualTo("bearer");
        assertThat(schemes.get("accountKey").get("scheme").asString()).isEqualTo("bearer");
        assertThat(schemes.get("adminBasic").get("scheme").asString()).isEqualTo("basic");
        assertThat(securityOf(api, "/api/v1/jobs", "post")).containsExactly("researcherKey", "adminBasic");
        assertThat(securityOf(api, "/api/v1/volunteers/me", "get")).containsExactly("accountKey");
        assertThat(securityOf(api, "/api/v1/admin/researchers", "post")).containsExactly("adminBasic");
        assertThat(securityOf(api, "/api/v1/hosts", "get")).containsExactly("adminBasic");
        assertThat(securityOf(api, "/api/v1/apps", "get")).isEmpty();
        assertThat(securityOf(api, "/api/v1/leaderboard", "get")).isEmpty();
        assertThat(docs.body()).as("who calls comes from the credentials, never a parameter").doesNotContain("\"caller\"");
        assertThat(api.get("paths").has("/login")).isFalse();
        for (String creating : List.of("/api/v1/jobs", "/api/v1/blobs", "/api/v1/volunteers", "/api/v1/admin/researchers",
                "/api/v1/admin/researchers/{id}/keys")) {
            assertThat(api.get("paths").get(creating).get("post").get("responses").propertyNames())
                    .as("POST %s answers 201 Created", creating).contains("201").doesNotContain("200");
        }
    }

    @Test
    void theInteractiveUiIsServed() {
        HttpResponse<String> redirect = anonymous().exchange(anonymous().request("/swagger-ui.html").GET().build());
        assertThat(redirect.statusCode()).isEqualTo(302);

        TestApi.Response ui = anonymous().get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }

    private static List<String> securityOf(JsonNode api, String path, String method) {
        List<String> names = new ArrayList<>();
        api.get("paths").get(path).get(method).path("security").forEach(r -> r.propertyNames().forEach(names::add));
        return names;
    }

    /** A sample's value from the admin's Prometheus page (0 when absent); {@code labels} must appear in its labels. */
    private double value(String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$")
                .matcher(api().get("/actuator/prometheus").body());
        double sum = 0;
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
