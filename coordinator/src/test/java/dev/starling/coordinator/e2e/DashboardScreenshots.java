package dev.starling.coordinator.e2e;

import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.dashboard.Browser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import tools.jackson.databind.JsonNode;

/**
 * Not a test: the generator of the dashboard's screenshots in {@code docs/}. {@code ./starling screenshots} runs it
 * through failsafe (it is named so that {@code verify} does not); the directory is the system property
 * {@code starling.screenshots.dir}, {@code target/screenshots} by default.
 *
 * <p>It starts a coordinator, six real worker processes of four volunteers (one host reports wrong outputs, one is
 * behind NAT) and two researchers; one of them runs a two-stage wordcount over an uploaded text, an integration, a
 * primes job it cancels part-way and a large primes job (and queues an integration behind it). Once the large job has
 * run five minutes (so that the charts have some history), the headless Chromium the browser tests use logs in and
 * photographs each page.
 */
class DashboardScreenshots {
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 800;

    @Test
    void photographTheDashboard() throws Exception {
        Browser.unavailable().ifPresent(reason -> {
            throw new IllegalStateException("cannot take screenshots: " + reason);
        });
        Path out = Path.of(System.getProperty("starling.screenshots.dir", "target/screenshots")).toAbsolutePath();
        Files.createDirectories(out);
        try (Processes p = new Processes("dashboard-screenshots")) {
            say("starting a coordinator and six workers (logs in target/e2e/dashboard-screenshots)");
            // production's lease and heartbeats (the end-to-end tests shorten them); charts over the run's minutes
            p.coordinator("--starling.dispatch.lease=2m", "--starling.dispatch.heartbeat-interval=20s",
                    "--starling.dispatch.max-wait=20s", "--starling.dashboard.chart-minutes=10");
            TestApi admin = p.api();
            String lab = volunteer(admin, "Physics lab", "it@physics.example");
            String dana = volunteer(admin, "Dana Whitfield", "dana@example.org");
            p.workerOf(lab, "lab-ws-01");
            p.workerOf(lab, "lab-ws-02");
            p.workerOf(dana, "dana-thinkpad");
            p.workerOf(volunteer(admin, "HPC centre", "ops@hpc.example"), "hpc-node-07");
            p.workerOf(volunteer(admin, "Raspberry Pi club", "club@pi.example"), "pi-cluster-1", "--behind-nat");
            p.workerOf(dana, "old-imac", "--inject-fault", "wrong-output");
            await().atMost(Duration.ofMinutes(2)).until(() -> admin.get("/api/v1/hosts").json().get("items").size() == 6);
            // the jobs are a researcher's, submitted with their API key
            TestApi api = admin.withKey(admin.post("/api/v1/admin/researchers", "{\"name\": \"Radio astronomy group\"}")
                    .json().get("key").asString());
            admin.post("/api/v1/admin/researchers", "{\"name\": \"Genomics lab\"}");

            String text = DataPlaneIT.upload(api, DataPlaneIT.corpus(24 << 20, 2026));
            long wordcount = api.submit("""
                    {"app": "wordcount", "params": {"input": "%s", "mapTasks": 12, "reducers": 4}, "priority": 10}"""
                    .formatted(text));
            long integrate = api.submit("""
                    {"app": "integrate", "params": {"function": "gaussian", "a": -6, "b": 6, "intervals": 4000000,
                     "workUnits": 40}, "priority": 5}""");
            long cancelled = api.submit("""
                    {"app": "primes", "params": {"from": 0, "to": 20000000000, "chunkSize": 20000000}, "priority": 1}""");
            long large = api.submit("""
                    {"app": "primes", "params": {"from": 100000000000, "to": 300000000000, "chunkSize": 20000000}}""");
            // behind the large one: queued until it is done
            api.submit("""
                    {"app": "integrate", "params": {"function": "runge", "a": -1, "b": 1, "intervals": 40000000,
                     "workUnits": 400}, "priority": -1}""");

            say("waiting for the wordcount and the integration to succeed");
            until(api, wordcount, j -> j.get("state").asString().equals("SUCCEEDED"));
            until(api, integrate, j -> j.get("state").asString().equals("SUCCEEDED"));
            until(api, cancelled, j -> j.get("workUnits").get("validated").asLong() >= 40);
            api.postRaw("/api/v1/jobs/" + cancelled + "/cancel", null, null);
            // charts with a few minutes of history, however fast this machine is
            say("waiting until the large job has run five minutes and validated 1,000 work units");
            until(api, large, j -> j.has("startedAt") && j.get("workUnits").get("validated").asLong() >= 1000
                    && Instant.parse(j.get("startedAt").asString()).isBefore(Instant.now().minus(Duration.ofMinutes(5))));

            try (Browser browser = Browser.open("http://localhost:" + p.httpPort, Path.of("target", "screenshot-profile"),
                    WIDTH, HEIGHT)) {
                browser.go("/login");
                browser.find(By.id("password")).sendKeys(CoordinatorTest.ADMIN_PASSWORD);
                browser.click(By.cssSelector("button[type=submit]"));
                browser.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
                // at a moment with tasks in flight (fast tasks leave every worker idle now and then)
                shoot(browser, "/dashboard", out.resolve("dashboard-overview.png"),
                        () -> !browser.text(By.cssSelector("#kpis .kpi:nth-child(2) .value")).equals("0"));
                shoot(browser, "/dashboard/jobs", out.resolve("dashboard-jobs.png"));
                shoot(browser, "/dashboard/jobs/" + large, out.resolve("dashboard-job.png"));
                shoot(browser, "/dashboard/jobs/" + wordcount, out.resolve("dashboard-job-stages.png"));
                shoot(browser, "/dashboard/hosts", out.resolve("dashboard-hosts.png"));
                shoot(browser, "/dashboard/validation", out.resolve("dashboard-validation.png"));
                shoot(browser, "/dashboard/volunteers", out.resolve("dashboard-volunteers.png"));
                browser.go("/dashboard/researchers");
                browser.find(By.id("researcher-name")).sendKeys("Climate modelling");
                browser.click(By.id("create-researcher"));
                browser.find(By.id("new-key"));
                Files.write(out.resolve("dashboard-researchers.png"), browser.screenshot());
                say("dashboard-researchers.png: " + Files.size(out.resolve("dashboard-researchers.png")) / 1024 + " KiB");
            }
            say("screenshots written to " + out);
        }
    }

    /** Signs up a volunteer (as the admin) and answers their account key. */
    private static String volunteer(TestApi admin, String name, String email) {
        return admin.post("/api/v1/volunteers", "{\"name\": \"%s\", \"email\": \"%s\"}".formatted(name, email))
                .json().get("accountKey").asString();
    }

    private static void until(TestApi api, long job, Predicate<JsonNode> condition) {
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).until(() -> api.job(job), condition::test);
    }

    private static void shoot(Browser browser, String path, Path file) throws Exception {
        shoot(browser, path, file, () -> true);
    }

    /** The page once its charts are drawn, and when {@code ready} (or after half a minute, if it never is). */
    private static void shoot(Browser browser, String path, Path file, BooleanSupplier ready) throws Exception {
        browser.go(path);
        try {
            browser.until(d -> ready.getAsBoolean());
        } catch (TimeoutException e) {
            say(path + " never got ready; taken as it is");
        }
        browser.until((WebDriver d) -> (Boolean) browser.script("return document.querySelectorAll('canvas[data-chart]')"
                + ".length === [...document.querySelectorAll('canvas[data-chart]')].filter(c => Chart.getChart(c)).length"));
        browser.find(By.tagName("main"));
        Files.write(file, browser.screenshot());
        say(file.getFileName() + ": " + Files.size(file) / 1024 + " KiB");
    }

    private static void say(String line) {
        System.out.println("screenshots: " + line);
    }
}
