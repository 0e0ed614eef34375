package dev.starling.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi.Response;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The dashboard's pages over real HTTP: what they show, their live fragments, their errors and their actions. */
class DashboardPagesTest extends CoordinatorTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void emptyListsSaySo() {
        assertThat(page("/dashboard/jobs?show=failed")).as("no job of this class fails").contains("No failed jobs");
        assertThat(page("/dashboard/validation")).as("no result of this class is outvoted").contains("No disagreements");
    }

    @Test
    void pagesShowJobsHostsAndFailuresAndRefreshAsFragments() throws Exception {
        try (TestHost a = TestHost.registered(grpcPort(), "pages-a", "primes");
                TestHost b = TestHost.registered(grpcPort(), "pages-b", "primes")) {
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2000,\"chunkSize\":1000}}");
            await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
            List<Task> forA = a.requestWork(10);
            List<Task> forB = b.requestWork(10);
            a.succeed(forA.get(0), "same");
            b.succeed(forB.stream().filter(t -> t.getIndex() == forA.get(0).getIndex()).findFirst().orElseThrow(), "same");
            Task failing = forA.get(1);
            a.fail(failing, Failure.Kind.COMPUTE_ERROR, "the sieve ran out of memory");
            await().until(() -> page("/dashboard/jobs/" + job).contains("1 of 2 work units validated"));

            String overview = page("/dashboard");
            assertThat(overview).contains("Running jobs", "id=\"job-" + job + "\"", "50%", "Active hosts");
            String detail = page("/dashboard/jobs/" + job);
            assertThat(detail).contains("Job #" + job, "the sieve ran out of memory", "pages-a #" + a.id(),
                    "Cancel job", "Recent failures");
            assertThat(page("/dashboard/jobs?show=active")).contains("#" + job);
            assertThat(page("/dashboard/hosts")).contains("pages-a", "pages-b", "Linux amd64");

            Response fragment = fragment("/dashboard/jobs/" + job);
            assertThat(fragment.body()).as("only the live section").startsWith("<section id=\"job\"")
                    .doesNotContain("<html").contains("1 of 2 work units validated");
            assertThat(fragment("/dashboard").body()).as("the overview's two live sections")
                    .contains("id=\"kpis\"", "id=\"running\"").doesNotContain("<canvas");

            JsonNode series = api().get("/dashboard/throughput?job=" + job).json();
            assertThat(sum(series.get("validated"))).isEqualTo(1);
            assertThat(sum(series.get("errors"))).isEqualTo(1);
            assertThat(series.get("minutes").size()).isEqualTo(series.get("valid").size());
        }
    }

    @Test
    void cancellingFromTheJobPageRedirectsWithANoticeAndTwiceSaysWhy() {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":5000,\"chunkSize\":1000}}");
        Response cancel = api().postRaw("/dashboard/jobs/" + job + "/cancel", "application/x-www-form-urlencoded", "");
        assertThat(cancel.status()).isEqualTo(302);
        assertThat(api().job(job).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(page("/dashboard/jobs/" + job)).contains("Cancelled").doesNotContain("Cancel job");

        long done = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000}}");
        api().postRaw("/api/v1/jobs/" + done + "/cancel", null, null);
        assertThat(api().postRaw("/dashboard/jobs/" + done + "/cancel", "application/x-www-form-urlencoded", "")
                .status()).as("cancelling a cancelled job changes nothing").isEqualTo(302);
    }

    @Test
    void longListsArePaged() {
        for (int i = 0; i < JobPages.PAGE_SIZE + 1; i++) {
            api().postRaw("/api/v1/jobs/" + api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000}}")
                    + "/cancel", null, null);
        }
        assertThat(page("/dashboard/jobs?show=cancelled")).contains("1–25 of", "Next →").doesNotContain("← Previous");
        assertThat(page("/dashboard/jobs?show=cancelled&page=1")).contains("26–", "← Previous");
    }

    @Test
    void mistakesArePagesNotStackTraces() {
        Response unknown = api().get("/dashboard/jobs/424242");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("text/html");
        assertThat(unknown.body()).contains("no job 424242");
        assertThat(api().get("/dashboard/jobs/not-a-number").status()).isEqualTo(404);
        Response badFilter = api().get("/dashboard/jobs?show=everything");
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.body()).contains("show: must be one of all, active, succeeded, failed, cancelled");
        assertThat(api().get("/dashboard/hosts?sort=shoe-size").status()).isEqualTo(400);
        assertThat(api().get("/dashboard/jobs?page=-1").status()).isEqualTo(400);
    }

    private static long sum(JsonNode numbers) {
        long sum = 0;
        for (JsonNode n : numbers) {
            sum += n.asLong();
        }
        return sum;
    }

    private String page(String path) {
        Response r = api().get(path);
        assertThat(r.status()).as(path).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
        return r.body();
    }

    private Response fragment(String path) {
        Response r = api().get(path, "HX-Request", "true");
        assertThat(r.status()).as(path).isEqualTo(200);
        return r;
    }
}
