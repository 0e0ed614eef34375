package dev.starling.coordinator.e2e;

import static dev.starling.coordinator.e2e.DeployedAppsIT.deploy;
import static dev.starling.coordinator.e2e.EndToEndIT.awaitFinal;
import static dev.starling.coordinator.e2e.EndToEndIT.name;
import static dev.starling.coordinator.e2e.EndToEndIT.resultsOfHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.app.WasmModules;
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
 * A browser tab as a host, end to end: a coordinator process, a Java worker process and headless Chromium signed in
 * as a volunteer on /volunteer. A deployed app's job at quorum 2 has each work unit computed once by the tab and once
 * by the Java worker (the only two hosts): it finishes with the right result, and the tab's results are validated
 * and credited, so its outputs were byte for byte the worker's. Stop gives the tab's running task back; a second
 * visit is the same host; a tab that reports wrong outputs is outvoted by two Java workers. Skipped, saying why,
 * where no Chromium is installed.
 */
class BrowserVolunteerIT {
    /** primes below 2 * 10^6 */
    private static final long PI_2E6 = 148_933L;

    /** Makes the page report "0\n" as every output: a tab that lies, as anyone can make a page do. */
    private static final String TAMPER = """
            const send = window.fetch;
            window.fetch = (url, options) => {
              if (String(url).endsWith('/api/v1/browser/report')) {
                const body = JSON.parse(options.body);
                for (const r of body.results) {
                  if (r.success) r.success.wasmOutput.stdout = btoa('0\\n');
                }
                options = { ...options, body: JSON.stringify(body) };
              }
              return send(url, options);
            };
            """;

    @BeforeAll
    static void needsABrowser() {
        Browser.unavailable().ifPresent(reason -> {
            System.out.println("BrowserVolunteerIT skipped: " + reason);
            Assumptions.abort(reason);
        });
    }

    @Test
    void aTabComputesBesideAJavaWorkerIsCreditedGivesBackOnStopAndComesBackAsItself(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator();
            TestApi anonymous = p.anonymous();
            JsonNode vera = anonymous.post("/api/v1/volunteers", "{\"name\":\"Vera\",\"email\":\"vera@example.org\"}")
                    .json();
            TestApi asVera = anonymous.withKey(vera.get("accountKey").asString());
            TestApi.Response set = asVera.send(asVera.request("/api/v1/volunteers/me/password")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"vera's secret\"}")).build());
            assertThat(set.status()).isEqualTo(204);
            p.worker("java-worker");
            TestApi api = p.api();
            deploy(api, "primes-c", WasmModules.c("primes"));
            deploy(api, "probe", WasmModules.c("probe"));

            try (Browser browser = Browser.open("http://localhost:" + p.httpPort,
                    Path.of("target", "browser-test-volunteer-tab"), 420, 900)) {
                signIn(browser);
                browser.go("/volunteer");
                browser.find(By.id("vol-start")).click();
                browser.until(d -> browser.text(By.id("vol-host")).startsWith("host #"));
                String host = browser.text(By.id("vol-host"));
                long hostId = Long.parseLong(host.substring("host #".length()));

                // every work unit: one replica in the tab, one on the Java worker, compared bit for bit
                long job = api.submit("{\"app\":\"primes-c\",\"params\":{\"sweep\":{\"from\":0,\"to\":2000000,"
                        + "\"step\":200000,\"args\":[\"{from}\",\"{to}\"]}},"
                        + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2}}");
                JsonNode done = awaitFinal(api, job);
                assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(sumOfOutputs(api, job)).isEqualTo(PI_2E6);
                assertThat(resultsOfHost(api, job, hostId)).as("the tab's replicas").isNotEmpty()
                        .allMatch("VALID"::equals);
                browser.until(d -> !browser.text(By.id("vol-done")).equals("0"));
                JsonNode tabHost = await().atMost(Duration.ofMinutes(1)).until(() -> hostOf(asVera, hostId),
                        h -> h.get("host").get("credit").asDouble() > 0);
                assertThat(tabHost.get("host").get("os").asString()).isEqualTo("browser");
                browser.until(d -> !browser.text(By.id("vol-credit")).equals("–"));

                // Stop gives the running task back at once: another host may take it
                String forever = "{\"args\":[\"count\",\"100000000\"]}";
                // quorum 2 on two hosts: every work unit has a replica in the tab (at quorum 1 a new host's result
                // may not stand alone, and the tab may be given none)
                long slow = api.submit("{\"app\":\"probe\",\"params\":{\"workUnits\":["
                        + String.join(",", forever, forever) + "]},"
                        + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2,\"adaptive\":false}}");
                await().atMost(Duration.ofMinutes(2)).until(() -> !browser.driver()
                        .findElements(By.cssSelector("#vol-tasks li[data-state=running]")).isEmpty());
                assertThat(resultsOfHost(api, slow, hostId)).contains("IN_PROGRESS");
                // docs/volunteer-browser.png (volunteer-guide.md) is this, from a run of this test
                Files.write(p.folder("screenshots").resolve("volunteer-browser.png"), browser.screenshot());
                browser.find(By.id("vol-stop")).click();
                await().atMost(Duration.ofMinutes(1)).until(() -> resultsOfHost(api, slow, hostId),
                        states -> !states.contains("IN_PROGRESS"));
                assertThat(browser.text(By.id("vol-status"))).contains("given back");
                api.postRaw("/api/v1/jobs/" + slow + "/cancel", null, null);

                // a second visit is the same host; this time the tab lies about its outputs, and is outvoted
                p.worker("java-worker-2");
                browser.go("/volunteer");
                browser.script(TAMPER);
                browser.find(By.id("vol-start")).click();
                browser.until(d -> browser.text(By.id("vol-host")).startsWith("host #"));
                assertThat(browser.text(By.id("vol-host"))).isEqualTo(host);
                long lied = api.submit("{\"app\":\"primes-c\",\"params\":{\"sweep\":{\"from\":0,\"to\":2000000,"
                        + "\"step\":100000,\"args\":[\"{from}\",\"{to}\"]}},"
                        // not adaptive: the tab's ten valid results above would let its lies stand alone, until
                        // a spot check caught it
                        + "\"redundancy\":{\"quorum\":2,\"initialReplicas\":2,\"adaptive\":false}}");
                JsonNode outvoted = awaitFinal(api, lied);
                assertThat(outvoted.get("state").asString()).as(outvoted.toString()).isEqualTo("SUCCEEDED");
                assertThat(sumOfOutputs(api, lied)).isEqualTo(PI_2E6);
                assertThat(resultsOfHost(api, lied, hostId)).as("the lying tab's replicas").contains("INVALID")
                        .doesNotContain("VALID");
                browser.find(By.id("vol-stop")).click();
                assertThat(browser.consoleErrors()).isEmpty();
            }
            assertThat(asVera.get("/api/v1/volunteers/me/hosts").json().size()).as("one host for the browser")
                    .isEqualTo(1);
        }
    }

    private static void signIn(Browser browser) {
        browser.go("/account");
        browser.until(d -> d.getCurrentUrl().contains("/account/login"));
        browser.find(By.id("username")).sendKeys("vera@example.org");
        browser.find(By.id("password")).sendKeys("vera's secret");
        browser.click(By.cssSelector("button[type=submit]"));
        browser.until(d -> d.getCurrentUrl().endsWith("/account"));
    }

    private static long sumOfOutputs(TestApi api, long job) {
        return api.get("/api/v1/jobs/" + job + "/outputs?format=ndjson").body().lines()
                .map(line -> new TestApi.Response(200, "application/x-ndjson", line).json())
                .mapToLong(l -> Long.parseLong(l.get("output").asString())).sum();
    }

    private static JsonNode hostOf(TestApi volunteer, long id) {
        for (JsonNode h : volunteer.get("/api/v1/volunteers/me/hosts").json()) {
            if (h.get("host").get("id").asLong() == id) {
                return h;
            }
        }
        throw new AssertionError("no host " + id);
    }
}
