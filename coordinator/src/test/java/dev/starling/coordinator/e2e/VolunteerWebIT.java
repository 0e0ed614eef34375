package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.dashboard.Browser;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;

/**
 * A volunteer's web pages in a real browser (headless Chromium) against a coordinator process and real worker
 * processes: the volunteer sets a password with their account key, signs in with their email, sees their two hosts
 * (never another volunteer's), pauses one and sees its running task suspend, resumes it, sets an account preference
 * (compute hours) that the running workers adopt, and cannot reach the admin's pages. Skipped, saying why, where no Chromium is installed.
 */
class VolunteerWebIT {
    /** work units slow enough at a 10% CPU limit that one is still running when the test pauses its host */
    private static final String SLOW_INTEGRAL = "{\"app\":\"integrate\",\"params\":{\"function\":\"sin\","
            + "\"a\":0,\"b\":3.141592653589793,\"intervals\":8000000000,\"workUnits\":8}}";

    @BeforeAll
    static void needsABrowser() {
        Browser.unavailable().ifPresent(reason -> {
            System.out.println("VolunteerWebIT skipped: " + reason);
            Assumptions.abort(reason);
        });
    }

    @Test
    void aVolunteerSignsInSeesTheirHostsAndPausesOneWhoseTaskSuspends(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            p.coordinator();
            TestApi anonymous = p.anonymous();
            JsonNode vera = anonymous.post("/api/v1/volunteers", "{\"name\":\"Vera\",\"email\":\"vera@example.org\"}").json();
            String key = vera.get("accountKey").asString();
            TestApi asVera = anonymous.withKey(key);
            TestApi.Response set = asVera.send(asVera.request("/api/v1/volunteers/me/password")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"vera's secret\"}")).build());
            assertThat(set.status()).isEqualTo(204);
            p.workerOf(key, "vera-desk", "--cpu-limit", "10");
            p.workerOf(key, "vera-laptop", "--cpu-limit", "10");
            p.worker("otto-box", "--cpu-limit", "10");
            await().atMost(Duration.ofMinutes(2)).until(() -> asVera.get("/api/v1/volunteers/me/hosts").json().size() == 2);
            long job = p.api().submit(SLOW_INTEGRAL);
            // the workers start slowly on a loaded machine: the desk computes before the browser looks
            await().atMost(Duration.ofMinutes(3)).until(() -> !hostNamed(asVera, "vera-desk").get("tasks").isEmpty());

            try (Browser browser = Browser.open("http://localhost:" + p.httpPort,
                    Path.of("target", "browser-test-volunteer"), 1280, 900)) {
                browser.go("/account");
                browser.until(d -> d.getCurrentUrl().contains("/account/login"));
                browser.find(By.id("username")).sendKeys("vera@example.org");
                browser.find(By.id("password")).sendKeys("not it");
                browser.click(By.cssSelector("button[type=submit]"));
                assertThat(browser.text(By.cssSelector("[role=alert]"))).isEqualTo("Wrong email or password.");

                browser.find(By.id("username")).sendKeys("vera@example.org");
                browser.find(By.id("password")).sendKeys("vera's secret");
                browser.click(By.cssSelector("button[type=submit]"));
                browser.until(d -> d.getCurrentUrl().endsWith("/account"));
                assertThat(browser.text(By.tagName("h1"))).isEqualTo("Your hosts");
                String hosts = browser.text(By.id("hosts"));
                assertThat(hosts).contains("vera-desk", "vera-laptop").doesNotContain("otto-box");

                // the desk's task runs; pausing the desk suspends it, and the page shows it without a reload
                JsonNode desk = hostNamed(asVera, "vera-desk");
                long deskId = desk.get("host").get("id").asLong();
                By deskRow = By.id("host-" + deskId);
                try {
                    browser.until(d -> browser.text(deskRow).contains("(job " + job + ")"));
                } catch (org.openqa.selenium.TimeoutException e) {
                    throw new AssertionError("the desk's row shows no task of job " + job + ": '"
                            + browser.text(deskRow) + "'; the API says " + hostNamed(asVera, "vera-desk"), e);
                }
                browser.click(By.id("pause-" + deskId));
                assertThat(browser.text(By.className("flash"))).contains("Host #" + deskId + " is paused");
                browser.script("window.starlingMarker = 'not reloaded'");
                browser.until(d -> browser.text(deskRow).contains("suspended"));
                assertThat(browser.text(deskRow)).contains("paused");
                assertThat(browser.script("return window.starlingMarker")).isEqualTo("not reloaded");
                assertThat(Files.readString(p.log("vera-desk"))).contains("Suspending tasks: paused by you on the web");
                long laptopId = hostNamed(asVera, "vera-laptop").get("host").get("id").asLong();
                assertThat(browser.text(By.id("host-" + laptopId))).doesNotContain("suspended");

                // resumed, the task goes on where it stopped
                browser.click(By.id("resume-" + deskId));
                browser.until(d -> !browser.text(deskRow).contains("suspended")
                        && !browser.text(deskRow).contains("paused"));
                await().atMost(Duration.ofMinutes(2)).until(
                        () -> Files.readString(p.log("vera-desk")).contains("Resuming tasks"));

                // an account preference, set on the web, is adopted by the running workers: compute hours that do
                // not include now suspend their tasks
                java.time.LocalTime now = java.time.LocalTime.now();
                String elsewhen = String.format("%02d:00-%02d:00", (now.getHour() + 2) % 24, (now.getHour() + 3) % 24);
                browser.find(By.cssSelector("#prefs-default input[name=computeHours]")).sendKeys(elsewhen);
                browser.click(By.id("save-default"));
                assertThat(browser.text(By.className("flash"))).contains("Your default preferences are saved");
                await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(p.log("vera-desk"))
                        .contains("Your account's preferences (venue default): {compute-hours=" + elsewhen));
                browser.until(d -> browser.text(deskRow).contains("suspended"));
                assertThat(Files.readString(p.log("vera-desk"))).contains("outside the compute hours " + elsewhen);
                browser.find(By.cssSelector("#prefs-default input[name=computeHours]")).clear();
                browser.click(By.id("save-default"));
                browser.until(d -> !browser.text(deskRow).contains("suspended"));

                // the credit chart was drawn, with no script error or CSP violation
                assertThat(browser.script("return !!Chart.getChart(document.getElementById('credit-chart'))"))
                        .isEqualTo(true);
                assertThat(browser.consoleErrors()).isEmpty();

                // never the admin's pages
                browser.go("/dashboard/hosts");
                assertThat(browser.text(By.tagName("h1"))).isEqualTo("Forbidden");
                assertThat(browser.driver().getPageSource()).doesNotContain("otto-box");
                browser.go("/api/v1/hosts");
                assertThat(browser.driver().getPageSource()).contains("403").doesNotContain("otto-box");
            }
        }
    }

    private static JsonNode hostNamed(TestApi volunteer, String name) {
        for (JsonNode h : volunteer.get("/api/v1/volunteers/me/hosts").json()) {
            if (h.get("name").asString().equals(name)) {
                return h;
            }
        }
        throw new AssertionError("no host " + name);
    }
}
