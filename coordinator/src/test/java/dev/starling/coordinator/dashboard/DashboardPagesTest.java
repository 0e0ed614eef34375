package dev.starling.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi.Response;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The dashboard's pages over real HTTP: what they show, their live fragments, their errors and their actions. */
class DashboardPagesTest extends CoordinatorTest {
    private AdminSession session;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.workers.release", () -> "0.5.0");
    }

    @BeforeEach
    void logIn() {
        session = AdminSession.login(httpPort, ADMIN_PASSWORD);
    }

    @Test
    void theHostsHeaderCountsHostsTheirVolunteersRetired() throws Exception {
        String key = signUp("retiring");
        try (TestHost host = TestHost.registered(grpcPort(), key, "retiring-pc", "primes")) {
            long before = retiredCount();

            anonymous().withKey(key).postRaw("/api/v1/volunteers/me/hosts/" + host.id() + "/retire", null, null);

            assertThat(retiredCount()).isEqualTo(before + 1);
        }
    }

    private long retiredCount() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) retired by their volunteers")
                .matcher(page("/dashboard/hosts"));
        assertThat(m.find()).as("the header counts retired hosts").isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void emptyListsSaySo() {
        assertThat(page("/dashboard/jobs?show=failed")).as("no job of this class fails").contains("No failed jobs");
        assertThat(page("/dashboard/validation")).as("no result of this class is outvoted").contains("No disagreements");
    }

    @Test
    void pagesShowJobsHostsAndFailuresAndRefreshAsFragments() throws Exception {
        try (TestHost a = volunteerHost("pages-a", "primes");
                TestHost b = volunteerHost("pages-b", "primes")) {
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
            assertThat(detail).as("b's other task is in flight").contains(">on 1 host<");
            assertThat(page("/dashboard/jobs?show=active")).contains("#" + job);
            assertThat(page("/dashboard/hosts")).contains("pages-a", "pages-b", "Linux amd64").doesNotContain("anonymous");
            assertThat(page("/dashboard/volunteers")).contains("pages-a", "pages-b", "Rank");

            Response fragment = fragment("/dashboard/jobs/" + job);
            assertThat(fragment.body()).as("only the live section").startsWith("<section id=\"job\"")
                    .doesNotContain("<html").contains("1 of 2 work units validated");
            assertThat(fragment("/dashboard").body()).as("the overview's two live sections")
                    .contains("id=\"kpis\"", "id=\"running\"").doesNotContain("<canvas");

            JsonNode series = session.api.get("/dashboard/throughput?job=" + job).json();
            assertThat(sum(series.get("validated"))).isEqualTo(1);
            assertThat(sum(series.get("errors"))).isEqualTo(1);
            assertThat(series.get("minutes").size()).isEqualTo(series.get("valid").size());
        }
    }

    @Test
    void aJobPageListsItsRunningTasksWithTheProgressAndPausesTheirWorkersReport() throws Exception {
        try (TestHost h = volunteerHost("pages-progress", "primes")) {
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2000,\"chunkSize\":1000}}");
            await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
            List<Task> tasks = h.requestWork(10);
            assertThat(tasks).hasSize(2);
            String sent = page("/dashboard/jobs/" + job);
            assertThat(sent).contains("Tasks running");
            assertThat(row(sent, tasks.get(0))).as("sent, no heartbeat yet").contains(">0%<", "Computing");

            h.stub(true).heartbeat(HeartbeatRequest.newBuilder()
                    .addTasks(TaskProgress.newBuilder().setResultId(tasks.get(0).getResultId()).setFractionDone(0.375))
                    .addTasks(TaskProgress.newBuilder().setResultId(tasks.get(1).getResultId()).setFractionDone(0.8125)
                            .setSuspended(true))
                    .build());

            String detail = fragment("/dashboard/jobs/" + job).body();
            assertThat(row(detail, tasks.get(0))).contains("37.5%", "Computing", "pages-progress #" + h.id())
                    .doesNotContain("Paused");
            assertThat(row(detail, tasks.get(1))).contains("81.3%", "Paused");
            h.succeed(tasks.get(0), "done");
            assertThat(page("/dashboard/jobs/" + job)).as("reported: no longer running")
                    .doesNotContain("id=\"task-" + tasks.get(0).getResultId() + "\"")
                    .contains("id=\"task-" + tasks.get(1).getResultId() + "\"");
            cancelActiveJobs(); // its unsent replicas must not go to the next test's hosts
        }
    }

    /** The job page's row of a running task. */
    private static String row(String page, Task task) {
        int from = page.indexOf("id=\"task-" + task.getResultId() + "\"");
        assertThat(from).as("a row for task " + task.getResultId()).isNotNegative();
        return page.substring(from, page.indexOf("</tr>", from));
    }

    @Test
    void cancellingFromTheJobPageRedirectsWithANoticeButNeverWithoutTheCsrfToken() {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":5000,\"chunkSize\":1000}}");
        Response forged = session.post("/dashboard/jobs/" + job + "/cancel", "");
        assertThat(forged.status()).as("a post without the form's CSRF token").isEqualTo(403);
        assertThat(api().job(job).get("state").asString()).isNotEqualTo("CANCELLED");

        Response cancel = session.submit("/dashboard/jobs/" + job + "/cancel", "");
        assertThat(cancel.status()).isEqualTo(302);
        assertThat(api().job(job).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(page("/dashboard/jobs/" + job)).contains("Cancelled").doesNotContain("Cancel job");

        long done = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000}}");
        api().postRaw("/api/v1/jobs/" + done + "/cancel", null, null);
        assertThat(session.submit("/dashboard/jobs/" + done + "/cancel", "").status())
                .as("cancelling a cancelled job changes nothing").isEqualTo(302);
    }

    @Test
    void aRedirectsNoticeGoesToThePageNotToALiveRefreshThatComesFirst() {
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":5000,\"chunkSize\":1000}}");
        assertThat(session.submit("/dashboard/jobs/" + job + "/cancel", "").status()).isEqualTo(302);

        // the job page's refresh (htmx, every few seconds) may reach the coordinator before the redirect's GET
        assertThat(fragment("/dashboard/jobs/" + job).body()).doesNotContain("was cancelled");
        assertThat(page("/dashboard/jobs/" + job)).contains("Job " + job + " was cancelled");
    }

    @Test
    void researchersAreCreatedWithAKeyShownOnceAndANameIsRequired() {
        Response created = session.submit("/dashboard/researchers", "name=Genomics+lab");
        assertThat(created.status()).isEqualTo(302);
        String shown = page("/dashboard/researchers");
        assertThat(shown).contains("API key for Genomics lab", "id=\"new-key\"");
        String key = shown.replaceAll("(?s).*id=\"new-key\">([^<]+)<.*", "$1");
        assertThat(anonymous().withKey(key).get("/api/v1/jobs").status()).isEqualTo(200);
        assertThat(page("/dashboard/researchers")).as("shown once").contains("Genomics lab").doesNotContain("new-key");

        assertThat(session.submit("/dashboard/researchers", "name=+").status()).isEqualTo(302);
        assertThat(page("/dashboard/researchers")).contains("The researcher&#39;s name must have 1 to 200 characters.");
    }

    @Test
    void theAdminQuarantinesReleasesBansAndUnbansHosts() throws Exception {
        try (TestHost host = volunteerHost("suspect", "primes")) {
            String row = "/dashboard/hosts/" + host.id();
            assertThat(session.post(row + "/ban", "reason=x").status()).as("without the CSRF token").isEqualTo(403);
            assertThat(api().get("/api/v1/hosts/" + host.id()).json().get("bannedAt").isNull()).isTrue();

            assertThat(session.submit(row + "/quarantine", "reason=&sort=id&show=all").status()).isEqualTo(302);
            assertThat(page("/dashboard/hosts?sort=id&show=all")).as("the page it redirects to")
                    .contains("Quarantined", "is quarantined (quarantined by the admin)");
            assertThat(api().get("/api/v1/hosts/" + host.id()).json().get("quarantinedAt").isNull()).isFalse();
            session.submit(row + "/release", "");
            assertThat(api().get("/api/v1/hosts/" + host.id()).json().get("quarantinedAt").isNull()).isTrue();

            Response ban = session.submit(row + "/ban", "reason=forged+outputs&sort=invalid&show=active");
            assertThat(ban.status()).isEqualTo(302);
            assertThat(ban.body()).isEmpty();
            assertThat(api().get("/api/v1/hosts/" + host.id()).json().get("banReason").asString()).isEqualTo("forged outputs");
            assertThat(page("/dashboard/hosts?sort=id")).contains("Banned", "Unban");
            session.submit(row + "/unban", "");
            assertThat(api().get("/api/v1/hosts/" + host.id()).json().get("bannedAt").isNull()).isTrue();

            assertThat(session.submit(row + "/promote", "").status()).isEqualTo(404);
            assertThat(session.submit("/dashboard/hosts/987654/ban", "").status()).isEqualTo(404);
        }
    }

    @Test
    void theAdminBansAndUnbansAVolunteerFromTheVolunteersPage() throws Exception {
        try (TestHost host = volunteerHost("troll", "primes")) {
            long volunteer = api().get("/api/v1/hosts/" + host.id()).json().get("volunteerId").asLong();
            String row = "/dashboard/volunteers/" + volunteer;
            assertThat(page("/dashboard/volunteers")).contains("id=\"ban-volunteer-" + volunteer + "\"");
            assertThat(session.post(row + "/ban", "reason=x").status()).as("without the CSRF token").isEqualTo(403);

            Response ban = session.submit(row + "/ban", "reason=sock+puppets&page=0");
            assertThat(ban.status()).isEqualTo(302);
            assertThat(page("/dashboard/volunteers?page=0")).as("the page it redirects to")
                    .contains("is banned (sock puppets)", "Banned", "id=\"unban-volunteer-" + volunteer + "\"");
            assertThatThrownBy(() -> host.requestWork(1)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

            session.submit(row + "/unban", "");
            assertThat(host.requestWork(1)).isEmpty();
            assertThat(session.submit(row + "/promote", "").status()).isEqualTo(404);
            assertThat(session.submit("/dashboard/volunteers/987654/ban", "").status()).isEqualTo(404);
        }
    }

    @Test
    void hostsRunningAnOldWorkerAreMarked() throws Exception {
        try (TestHost old = new TestHost(grpcPort(), signUp("stale"));
                TestHost current = new TestHost(grpcPort(), signUp("fresh"))) {
            old.stub(false).register(old.registration("stale").setWorkerVersion("0.4.2").build());
            current.stub(false).register(current.registration("fresh").setWorkerVersion("0.5.0").build());
            String hosts = page("/dashboard/hosts?sort=id");
            assertThat(hosts).contains("old worker 0.4.2 (protocol 1)").doesNotContain("old worker 0.5.0");
        }
    }

    @Test
    void withoutASessionEveryPageSendsToTheLoginPage() {
        for (String path : List.of("/dashboard", "/dashboard/jobs", "/dashboard/hosts", "/dashboard/volunteers",
                "/dashboard/researchers", "/dashboard/throughput")) {
            Response r = anonymous().get(path);
            assertThat(r.status()).as(path).isEqualTo(302);
        }
        assertThat(anonymous().asAdmin(ADMIN_PASSWORD).get("/dashboard").status())
                .as("HTTP Basic opens the API, not the dashboard").isEqualTo(302);
        assertThat(AdminSession.login(httpPort, ADMIN_PASSWORD).post("/dashboard/jobs/1/cancel", "").status())
                .isEqualTo(403);
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
        Response unknown = session.api.get("/dashboard/jobs/424242");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("text/html");
        assertThat(unknown.body()).contains("no job 424242");
        assertThat(session.api.get("/dashboard/jobs/not-a-number").status()).isEqualTo(404);
        Response badFilter = session.api.get("/dashboard/jobs?show=everything");
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.body()).contains("show: must be one of all, active, succeeded, failed, cancelled");
        assertThat(session.api.get("/dashboard/hosts?sort=shoe-size").status()).isEqualTo(400);
        assertThat(session.api.get("/dashboard/jobs?page=-1").status()).isEqualTo(400);
    }

    @Test
    void unknownPagesWrongMethodsAndFormsWithoutTheirTokenAreDashboardPagesToo() {
        Response unknown = session.api.get("/dashboard/nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("text/html");
        assertThat(unknown.body()).contains("<h1>Not found</h1>", "There is no page /dashboard/nope.",
                "Back to the overview", "Signed in as");

        Response forged = session.post("/dashboard/jobs/1/cancel", "");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.contentType()).startsWith("text/html");
        assertThat(forged.body()).contains("<h1>Form expired</h1>", "reload the page and try again");

        Response wrongMethod = session.submit("/dashboard/jobs", "");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("text/html");
        assertThat(wrongMethod.body()).contains("<h1>Method not allowed</h1>", "/dashboard/jobs: Method &#39;POST&#39; is not supported.");

        Response staleLogin = anonymous().postRaw("/login", "application/x-www-form-urlencoded", "username=admin&password=x");
        assertThat(staleLogin.status()).isEqualTo(403);
        assertThat(staleLogin.contentType()).startsWith("text/html");
        assertThat(staleLogin.body()).contains("<h1>Form expired</h1>").doesNotContain("Signed in as");
    }

    private static long sum(JsonNode numbers) {
        long sum = 0;
        for (JsonNode n : numbers) {
            sum += n.asLong();
        }
        return sum;
    }

    private String page(String path) {
        Response r = session.api.get(path);
        assertThat(r.status()).as(path).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
        return r.body();
    }

    private Response fragment(String path) {
        Response r = session.api.send(session.api.request(path).header("HX-Request", "true").GET().build());
        assertThat(r.status()).as(path).isEqualTo(200);
        return r;
    }
}
