package dev.starling.coordinator.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.dashboard.Browser;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The volunteer page's scripts in headless Chromium against a whole coordinator in this JVM: the admin asks the tab's
 * host to rotate its token; the page takes a new one, keeps it where it keeps its identity (localStorage) and uses it,
 * so the old one stops working and the next visit is still the same host. Skipped, saying why, where no Chromium is
 * installed.
 */
class BrowserPageTest extends CoordinatorTest {
    private static final String PASSWORD = "page volunteer";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.dispatch.max-wait", () -> "1s"); // the page's long polls come back every second
    }

    @BeforeAll
    static void needsABrowser() {
        Browser.unavailable().ifPresent(reason -> {
            System.out.println("BrowserPageTest skipped: " + reason);
            Assumptions.abort(reason);
        });
    }

    @Test
    void theTabRotatesItsTokenWhenAskedKeepsTheNewOneAndComesBackAsTheSameHost() throws Exception {
        TestApi volunteer = anonymous().withKey(signUp("page-rotator"));
        TestApi.Response set = volunteer.send(volunteer.request("/api/v1/volunteers/me/password")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}")).build());
        assertThat(set.status()).as(set.body()).isEqualTo(204);
        String email = volunteer.get("/api/v1/volunteers/me").json().get("email").asString();

        try (Browser browser = Browser.open("http://localhost:" + httpPort, Path.of("target", "browser-test-page"), 420,
                900)) {
            browser.go("/account");
            browser.until(d -> d.getCurrentUrl().contains("/account/login"));
            browser.find(By.id("username")).sendKeys(email);
            browser.find(By.id("password")).sendKeys(PASSWORD);
            browser.click(By.cssSelector("button[type=submit]"));
            browser.until(d -> d.getCurrentUrl().endsWith("/account"));
            long host = start(browser);
            String old = kept(browser).get("hostToken").asString();

            assertThat(api().postRaw("/api/v1/admin/hosts/" + host + "/rotate-token", null, null).status())
                    .isEqualTo(200);
            // the next answer asks for a new token: the page takes it, keeps it and uses it (which ends the old one)
            await().atMost(Duration.ofSeconds(30)).until(() -> !kept(browser).get("hostToken").asString().equals(old));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !api().get("/api/v1/hosts/" + host).json().get("tokenRotatedAt").isNull());
            JsonNode identity = kept(browser);
            assertThat(identity.get("hostId").asString()).isEqualTo(Long.toString(host));
            assertThat(identity.get("hostToken").asString()).startsWith(host + ".");
            BrowserTab stale = new BrowserTab(httpPort);
            stale.hostToken = old;
            assertThat(stale.call("work", "{\"maxTasks\":1,\"waitMillis\":0}").status()).as("the old token")
                    .isEqualTo(401);
            assertThat(api().get("/api/v1/hosts/" + host).json().get("tokenRotationAskedAt").isNull())
                    .as("nothing more asked").isTrue();

            // the next visit brings the kept identity: the same host, not a new one
            browser.find(By.id("vol-stop")).click();
            browser.go("/volunteer");
            assertThat(start(browser)).isEqualTo(host);
            assertThat(volunteer.get("/api/v1/volunteers/me/hosts").json().size()).isEqualTo(1);
            browser.find(By.id("vol-stop")).click();
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    /** Opens the volunteer page, presses Start, and answers the host it registered as. */
    private static long start(Browser browser) {
        browser.go("/volunteer");
        browser.find(By.id("vol-start")).click();
        browser.until(d -> browser.text(By.id("vol-host")).startsWith("host #"));
        return Long.parseLong(browser.text(By.id("vol-host")).substring("host #".length()));
    }

    /** The identity the page keeps in localStorage. */
    private static JsonNode kept(Browser browser) {
        return JSON.readTree((String) browser.script("return localStorage.getItem('starling.browserHost')"));
    }
}
