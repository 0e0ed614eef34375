package dev.starling.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser (headless Chromium) against a real coordinator: the admin logs in (a wrong password
 * is refused), pages update in place as work is reported, the admin cancels a job, bans and unbans a host, makes and
 * revokes a researcher's key, and sets a researcher's share and quotas; a post without the CSRF token is refused.
 * Skipped, saying why, where no Chromium is installed.
 */
@TestPropertySource(properties = "starling.dashboard.refresh=300ms")
class DashboardBrowserTest extends CoordinatorTest {
    private static Browser browser;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @BeforeAll
    static void needsABrowser() {
        Browser.unavailable().ifPresent(reason -> {
            System.out.println("DashboardBrowserTest skipped: " + reason);
            Assumptions.abort(reason);
        });
    }

    @BeforeEach
    void openBrowserAndLogIn() throws Exception {
        if (browser == null) {
            browser = Browser.open("http://localhost:" + httpPort, Path.of("target", "browser-test-profile"), 1280, 900);
            browser.go("/dashboard");
            logIn(browser, ADMIN_PASSWORD);
            browser.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        }
    }

    private static void logIn(Browser b, String password) {
        b.until(d -> d.getCurrentUrl().contains("/login"));
        b.find(By.id("password")).sendKeys(password);
        b.click(By.cssSelector("button[type=submit]"));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void aRunningJobsProgressChangesWithoutAReloadAndTheOperatorCancelsIt() throws Exception {
        try (TestHost a = volunteerHost("alpha", "primes");
                TestHost b = volunteerHost("beta", "primes")) {
            long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000}}");
            await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
            Map<Long, Task> forA = byIndex(a.requestWork(10));
            Map<Long, Task> forB = byIndex(b.requestWork(10));

            browser.go("/dashboard/jobs/" + job);
            assertThat(browser.text(By.id("job-validated"))).isEqualTo("0 of 4 work units validated");
            browser.script("window.starlingMarker = 'this page was not reloaded'");

            a.succeed(forA.get(0L), "168");
            b.succeed(forB.get(0L), "168");
            browser.until(d -> browser.text(By.id("job-validated")).equals("1 of 4 work units validated"));
            assertThat(browser.text(By.id("job-percent"))).isEqualTo("25%");
            assertThat(browser.script("return window.starlingMarker")).isEqualTo("this page was not reloaded");
            assertThat(browser.script("return !!Chart.getChart(document.querySelector('canvas[data-chart]'))"))
                    .as("the throughput chart was drawn").isEqualTo(true);

            assertThat(browser.consoleErrors()).as("no script error, refused request or CSP violation").isEmpty();

            browser.go("/dashboard");
            browser.script("window.starlingMarker = 'the overview was not reloaded'");
            By row = By.id("job-" + job);
            assertThat(browser.text(row)).contains("1 / 4");
            a.succeed(forA.get(1L), "135");
            b.succeed(forB.get(1L), "135");
            browser.until(d -> browser.text(row).contains("2 / 4") && browser.text(row).contains("50%"));
            assertThat(browser.script("return window.starlingMarker")).isEqualTo("the overview was not reloaded");
            browser.until(d -> (Boolean) browser.script("return document.querySelectorAll('canvas[data-chart]').length"
                    + " === [...document.querySelectorAll('canvas[data-chart]')].filter(c => Chart.getChart(c)).length"));
            assertThat(browser.consoleErrors()).as("no script error, refused request or CSP violation").isEmpty();

            browser.go("/dashboard/jobs/" + job);
            Object forged = browser.script("var x = new XMLHttpRequest(); x.open('POST', arguments[0], false); x.send();"
                    + " return x.status;", "/dashboard/jobs/" + job + "/cancel");
            assertThat(forged).as("a post with the session cookie but not the form's CSRF token").isEqualTo(403L);
            assertThat(api().job(job).get("state").asString()).isEqualTo("RUNNING");
            browser.click(By.id("cancel-job"));
            browser.until(d -> d.switchTo().alert()).accept();
            assertThat(browser.text(By.className("flash"))).contains("Job " + job + " was cancelled");
            assertThat(api().job(job).get("state").asString()).isEqualTo("CANCELLED");
            assertThat(browser.text(By.id("job"))).contains("Cancelled");
            assertThat(browser.driver().findElements(By.id("cancel-job"))).as("nothing left to cancel").isEmpty();
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndTheRightOneOpensTheDashboard() throws Exception {
        try (Browser fresh = Browser.open("http://localhost:" + httpPort, Path.of("target", "browser-test-login"), 1280,
                900)) {
            fresh.go("/dashboard/hosts");
            logIn(fresh, "not-the-password");
            assertThat(fresh.text(By.cssSelector("[role=alert]"))).isEqualTo("Wrong user name or password.");
            assertThat(fresh.driver().getCurrentUrl()).endsWith("/login?error");
            fresh.go("/dashboard/hosts");
            assertThat(fresh.driver().getCurrentUrl()).as("still not logged in").endsWith("/login");

            logIn(fresh, ADMIN_PASSWORD);
            fresh.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
            assertThat(fresh.text(By.tagName("h1"))).isEqualTo("Overview");
            fresh.click(By.id("logout"));
            fresh.until(d -> d.getCurrentUrl().endsWith("/login?logout"));
            fresh.go("/dashboard");
            assertThat(fresh.driver().getCurrentUrl()).as("logged out").endsWith("/login");
        }
    }

    @Test
    void theAdminCreatesAResearcherSeesTheKeyOnceAndRevokesIt() {
        browser.go("/dashboard/researchers");
        browser.find(By.id("researcher-name")).sendKeys("Radio astronomy group");
        browser.click(By.id("create-researcher"));
        String key = browser.text(By.id("new-key"));
        assertThat(anonymous().withKey(key).get("/api/v1/jobs").status()).as("the key works").isEqualTo(200);

        browser.go("/dashboard/researchers");
        assertThat(browser.driver().findElements(By.id("new-key"))).as("shown once").isEmpty();
        // this researcher's row: other tests' researchers may be listed before it
        browser.click(By.cssSelector("#researcher-" + key.split("_")[1] + " form[action$='/revoke'] button"));
        browser.until(d -> d.switchTo().alert()).accept();
        assertThat(browser.text(By.className("flash"))).contains("was revoked");
        assertThat(anonymous().withKey(key).get("/api/v1/jobs").status()).as("the key is refused").isEqualTo(401);
    }

    @Test
    void theAdminSetsAResearchersShareAndQuotasBesideWhatTheyUse() {
        String key = researcherKey("Seismology group");
        long id = Long.parseLong(key.split("_")[1]);
        anonymous().withKey(key).submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":20000,\"chunkSize\":1000}}");
        try {
            browser.go("/dashboard/researchers");
            assertThat(browser.text(By.id("use-queued-" + id))).isEqualTo("20");
            assertThat(browser.text(By.id("use-jobs-" + id))).isEqualTo("1");
            assertThat(browser.find(By.id("share-" + id)).getDomProperty("value")).isEqualTo("1");
            browser.find(By.id("share-" + id)).clear();
            browser.find(By.id("share-" + id)).sendKeys("3");
            browser.find(By.id("queued-" + id)).sendKeys("500");
            browser.click(By.id("save-quotas-" + id));

            assertThat(browser.text(By.className("flash"))).contains("Seismology group has a share of 3");
            JsonNode quotas = api().get("/api/v1/admin/researchers/" + id + "/quotas").json();
            assertThat(quotas.get("share").asInt()).isEqualTo(3);
            assertThat(quotas.get("limits").get("queuedWorkUnits").asLong()).isEqualTo(500);
            assertThat(quotas.get("limits").get("runningJobs").isNull()).as("left empty: no limit").isTrue();
            assertThat(browser.find(By.id("queued-" + id)).getDomProperty("value")).isEqualTo("500");

            browser.find(By.id("share-" + id)).clear();
            browser.find(By.id("share-" + id)).sendKeys("0");
            browser.click(By.id("save-quotas-" + id));
            assertThat(browser.text(By.className("flash"))).contains("Nothing changed: share must be from 1 to");
            assertThat(api().get("/api/v1/admin/researchers/" + id + "/quotas").json().get("share").asInt())
                    .isEqualTo(3);
            assertThat(browser.consoleErrors()).as("no script error, refused request or CSP violation").isEmpty();
        } finally {
            cancelActiveJobs(); // its work would go to the other tests' hosts
        }
    }

    @Test
    void theAdminBansAHostWhoseCallsAreThenRefusedAndUnbansIt() throws Exception {
        try (TestHost host = volunteerHost("mallory", "primes")) {
            browser.go("/dashboard/hosts?sort=id");
            browser.click(By.id("ban-" + host.id()));
            Alert why = browser.until(d -> d.switchTo().alert());
            why.sendKeys("sends made-up results");
            why.accept();
            assertThat(browser.text(By.className("flash"))).contains("mallory #" + host.id() + " is banned (sends made-up results)");
            assertThat(browser.text(By.id("host-" + host.id()))).contains("Banned");
            assertThatThrownBy(() -> host.requestWork(1)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

            browser.click(By.id("unban-" + host.id()));
            assertThat(browser.text(By.className("flash"))).contains("is no longer banned");
            assertThat(host.requestWork(1)).as("its calls are served again").isNotNull();
        }
    }

    @Test
    void anUnknownJobIsAPageThatSaysSo() {
        browser.go("/dashboard/jobs/987654");
        assertThat(browser.text(By.tagName("main"))).contains("no job 987654");
    }

    private static Map<Long, Task> byIndex(List<Task> tasks) {
        return tasks.stream().collect(Collectors.toMap(Task::getIndex, Function.identity()));
    }
}
