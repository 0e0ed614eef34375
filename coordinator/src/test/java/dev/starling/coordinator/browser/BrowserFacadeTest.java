package dev.starling.coordinator.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.sdk.ContentAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The browser hosts' facade over real HTTP against a whole coordinator: Register with the volunteer's web session and
 * CSRF token (the same host on the next visit, never another volunteer's), the long poll giving deployed apps' tasks
 * that fit browsers (never a built-in app's) with their work unit decoded, and never a task whose module and input
 * files exceed the browser limit, a report's {@code wasmOutput} agreeing byte for byte with a Java worker's replica,
 * give-back by token, blobs by fetch token with ranges (their bytes counted for the job), bad input as problems, and
 * the volunteer page's headers.
 */
class BrowserFacadeTest extends CoordinatorTest {
    private static final String PASSWORD = "browser volunteer";
    static String ownerKey;
    TestApi owner;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.refresh-interval", () -> "100ms");
        registry.add("starling.browser.max-memory-mib", () -> "32");
        registry.add("starling.browser.max-body", () -> "64KB");
        registry.add("starling.browser.max-input-bytes", () -> "4KB"); // a module and its work unit's files together
    }

    @BeforeEach
    void owner() {
        if (ownerKey == null) {
            ownerKey = researcherKey("browser-owner");
            owner = anonymous().withKey(ownerKey);
            owner.deployCommand("small", 16);
            owner.deployCommand("big", 48); // more memory than browsers may give (32 MiB here)
        }
        owner = anonymous().withKey(ownerKey);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private long job(String app, int workUnits, int quorum) {
        return owner.submitWorkUnits(app, workUnits,
                ",\"redundancy\":{\"quorum\":" + quorum + ",\"initialReplicas\":" + quorum + "}");
    }

    /** A new volunteer with a web password, signed in on a tab showing the volunteer page. */
    private BrowserTab tab(String name) {
        String key = signUp(name);
        TestApi volunteer = anonymous().withKey(key);
        TestApi.Response set = volunteer.send(volunteer.request("/api/v1/volunteers/me/password")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}")).build());
        assertThat(set.status()).as(set.body()).isEqualTo(204);
        BrowserTab tab = new BrowserTab(httpPort);
        tab.signIn(volunteer.get("/api/v1/volunteers/me").json().get("email").asString(), PASSWORD);
        assertThat(tab.open().statusCode()).isEqualTo(200);
        return tab;
    }

    private static BrowserTab registered(BrowserTab tab) {
        TestApi.Response r = tab.register();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return tab;
    }

    private static List<JsonNode> tasks(TestApi.Response work) {
        assertThat(work.status()).as(work.body()).isEqualTo(200);
        return List.copyOf(work.json().get("tasks").values());
    }

    private static void assertProblem(TestApi.Response r, int status, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains(detail);
    }

    @Test
    void registerNeedsTheSessionAndItsCsrfTokenAndASecondVisitIsTheSameHost() {
        BrowserTab tab = tab("tab-owner");
        String csrf = tab.csrf;
        tab.csrf = "forged";
        assertProblem(tab.register(), 403, "CSRF");
        tab.csrf = csrf;
        BrowserTab stranger = new BrowserTab(httpPort);
        stranger.csrf = csrf;
        assertProblem(stranger.register(), 401, "signed-in volunteer");

        registered(tab);
        long first = tab.hostId;
        JsonNode host = api().get("/api/v1/hosts/" + first).json();
        assertThat(host.get("os").asString()).isEqualTo("browser");
        assertThat(host.get("name").asString()).isEqualTo("Chrome 131 on Linux");
        assertThat(host.get("wasmMemoryMiB").asInt()).as("cut to starling.browser.max-memory-mib").isEqualTo(32);
        assertThat(host.get("apps")).as("a tab runs no built-in app, whatever it says").isEmpty();

        BrowserTab again = new BrowserTab(httpPort); // the next visit: a new session, the identity kept
        again.hostId = tab.hostId;
        again.hostToken = tab.hostToken;
        again.signIn(tab.email, PASSWORD);
        again.open();
        registered(again);
        assertThat(again.hostId).isEqualTo(first);
    }

    @Test
    void anotherVolunteersHostIsRefused() {
        BrowserTab ada = registered(tab("tab-ada"));
        BrowserTab eve = tab("tab-eve");
        eve.hostId = ada.hostId;
        eve.hostToken = ada.hostToken;

        assertProblem(eve.register(), 403, "not a browser host of the signed-in volunteer");
        assertThat(api().get("/api/v1/hosts/" + ada.hostId).json().get("name").asString())
                .isEqualTo("Chrome 131 on Linux");
        TestHost worker = volunteerHost("tab-java", "primes");
        eve.hostId = worker.id();
        eve.hostToken = worker.token();
        assertProblem(eve.register(), 403, "not a browser host");
    }

    @Test
    void theLongPollGivesDeployedTasksThatFitBrowsersWithTheirWorkUnitDecodedAndNeverABuiltInApp() throws Exception {
        BrowserTab tab = registered(tab("tab-poller"));
        api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000,\"chunkSize\":1000}}");
        job("big", 2, 1);
        CompletableFuture<TestApi.Response> poll = CompletableFuture.supplyAsync(
                () -> tab.call("work", "{\"maxTasks\":4,\"waitMillis\":15000}"));
        await().during(Duration.ofMillis(300)).until(() -> !poll.isDone()); // nothing it may run: it waits
        long small = job("small", 2, 1);

        List<JsonNode> tasks = tasks(poll.get(30, TimeUnit.SECONDS));
        assertThat(tasks).isNotEmpty().allSatisfy(t -> {
            assertThat(t.get("app").asString()).isEqualTo("small@1.0.0");
            assertThat(t.get("jobId").asString()).isEqualTo(Long.toString(small));
            JsonNode wasm = t.get("wasm");
            assertThat(wasm.get("module").asString()).isEqualTo(ContentAddress.of(WasmModules.command("small")));
            assertThat(wasm.get("limits").get("memoryMib").asInt()).isEqualTo(16);
            assertThat(t.get("input").asString()).isNotEmpty();
        });
        assertThat(tasks(tab.call("work", "{\"maxTasks\":10,\"waitMillis\":0}")))
                .allSatisfy(t -> assertThat(t.get("app").asString()).isEqualTo("small@1.0.0"));
        // the rule is dispatch's, not only the facade's: a gRPC worker saying it is a browser gets no built-in app
        TestHost disguised = closedAfterTest(new TestHost(grpcPort(), signUp("tab-disguised")));
        String token = disguised.stub(false).register(disguised.registration("tab-disguised", "primes")
                .setOs("browser").build()).getHostToken();
        assertThat(disguised.stubAs(token).requestWork(RequestWorkRequest.newBuilder().setMaxTasks(4).build())
                .getTasksList()).isEmpty();
        JsonNode beat = tab.call("heartbeat", "{\"tasks\":[{\"resultId\":\"" + tasks.get(0).get("resultId").asString()
                + "\",\"fractionDone\":0.5}]}").json();
        assertThat(beat.get("leases").get(0).get("resultId").asString())
                .isEqualTo(tasks.get(0).get("resultId").asString());
    }

    @Test
    void aTabIsGivenNoTaskWhoseModuleAndInputFilesExceedTheBrowserLimitAndAWorkerIs() {
        byte[] module = WasmModules.command("small");
        String fits = owner.upload(new byte[4096 - module.length]);
        String tooLarge = owner.upload(new byte[4096 - module.length + 1]);
        long id = owner.submit("{\"app\":\"small\",\"params\":{\"workUnits\":[{\"args\":[\"a\"],\"files\":{\"data\":\""
                + tooLarge + "\"}},{\"args\":[\"b\"],\"files\":{\"data\":\"" + fits + "\"}}]},"
                + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        await().until(() -> owner.job(id).get("workUnits").get("unsplit").asLong() == 0);
        BrowserTab tab = registered(tab("tab-limited"));

        List<JsonNode> tasks = tasks(tab.call("work", "{\"maxTasks\":4,\"waitMillis\":0}"));
        assertThat(tasks).as("4096 bytes with its module: the limit, not over it").singleElement()
                .satisfies(t -> assertThat(t.get("wasm").get("files").get(0).get("blobId").asString()).isEqualTo(fits));
        assertThat(tasks(tab.call("work", "{\"maxTasks\":4,\"waitMillis\":0}"))).as("one byte over: left for workers")
                .isEmpty();
        TestHost java = closedAfterTest(new TestHost(grpcPort(), signUp("tab-limit-worker")));
        java.registerWasm("tab-limit-worker", 64);
        assertThat(java.requestWork(4)).singleElement().satisfies(t -> assertThat(t.getInputsList())
                .extracting(dev.starling.proto.v1.BlobSource::getBlobId).contains(tooLarge));
    }

    @Test
    void aWasmOutputAgreesByteForByteWithAJavaWorkersReplica() {
        long id = job("small", 1, 2);
        BrowserTab tab = registered(tab("tab-reporter"));
        TestHost java = closedAfterTest(new TestHost(grpcPort(), signUp("tab-java-replica")));
        java.registerWasm("tab-java-replica", 64);
        Task javaTask = java.requestWork(1).get(0);
        JsonNode browserTask = tasks(tab.call("work", "{\"maxTasks\":1}")).get(0);
        assertThat(browserTask.get("workUnitId").asString()).isEqualTo(Long.toString(javaTask.getWorkUnitId()));

        ReportAck javaAck = java.succeedWasm(javaTask, "out\n", file("a.txt", "alpha"), file("b.txt", ""));
        assertThat(javaAck.getStatus()).as(javaAck.getMessage()).isEqualTo(ReportAck.Status.ACCEPTED);
        // files in any order, as the page lists them: the server puts them in name order, as the Java worker does
        JsonNode ack = tab.call("report", "{\"results\":[{\"resultId\":\"" + browserTask.get("resultId").asString()
                + "\",\"cpuTimeMillis\":\"7\",\"success\":{\"wasmOutput\":{\"stdout\":\"" + b64("out\n")
                + "\",\"files\":[{\"name\":\"b.txt\",\"content\":\"\"},{\"name\":\"a.txt\",\"content\":\""
                + b64("alpha") + "\"}]}}}]}").json().get("acks").get(0);
        assertThat(ack.get("status").asString()).as(ack.toString()).isEqualTo("ACCEPTED");

        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));
        JsonNode unit = owner.get("/api/v1/jobs/" + id + "/workunits").json().get("items").get(0);
        assertThat(unit.get("results").findValuesAsString("state")).containsOnly("VALID").hasSize(2);
    }

    @Test
    void aWasmOutputBesideTheOutputIsRefused() {
        BrowserTab tab = registered(tab("tab-both"));
        assertProblem(tab.call("report", "{\"results\":[{\"resultId\":\"1\",\"success\":{\"outputHash\":\"x\","
                + "\"wasmOutput\":{\"stdout\":\"\"}}}]}"), 400, "both wasmOutput and outputHash");
        assertProblem(tab.call("report", "{\"results\":[{\"resultId\":\"1\",\"success\":{\"wasmOutput\":"
                + "{\"stdout\":\"\",\"extra\":1}}}]}"), 400, "WasmOutput");
    }

    @Test
    void aClosingTabGivesItsTasksBackByTokenAndForgedOrExpiredTokensAreRefused() {
        long id = job("small", 1, 1);
        BrowserTab tab = registered(tab("tab-closer"));
        JsonNode task = tasks(tab.call("work", "{\"maxTasks\":1}")).get(0);
        String resultId = task.get("resultId").asString();

        assertProblem(tab.beacon("{\"token\":\"" + tab.giveBackToken.substring(1) + "\",\"resultIds\":[\"" + resultId
                + "\"]}"), 401, "give-back token");
        assertThat(tab.beacon("{\"token\":\"" + tab.giveBackToken + "\",\"resultIds\":[\"" + resultId + "\"]}")
                .status()).isEqualTo(204);

        BrowserTab other = registered(tab("tab-taker"));
        assertThat(tasks(other.call("work", "{\"maxTasks\":1}"))).extracting(t -> t.get("resultId").asString())
                .as("given back: unsent again, for another host").isNotEmpty();
        assertThat(owner.job(id).get("state").asString()).isEqualTo("RUNNING");

        JsonNode renewed = tab.call("give-back-token", "").json();
        assertThat(renewed.get("giveBackToken").asString()).isNotEmpty();
        clock.advance(Duration.ofMinutes(16));
        assertProblem(tab.beacon("{\"token\":\"" + renewed.get("giveBackToken").asString() + "\",\"resultIds\":[]}"),
                401, "give-back token");
    }

    @Test
    void badInputIsAProblemNeverA500() {
        BrowserTab tab = registered(tab("tab-hostile"));
        assertProblem(tab.call("work", "{\"maxTasks\":"), 400, "RequestWorkRequest");
        assertProblem(tab.call("work", "{\"maxTasks\":1,\"extra\":true}"), 400, "extra");
        assertProblem(tab.call("work", "[]"), 400, "RequestWorkRequest");
        assertProblem(tab.call("heartbeat", "{\"tasks\":[{\"resultId\":\"1\",\"fractionDone\":2}]}"), 400,
                "fraction_done");
        StringBuilder many = new StringBuilder("{\"results\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"resultId\":\"").append(i).append("\"}");
        }
        assertProblem(tab.call("report", many.append("]}").toString()), 400, "at most 1000 results");
        assertProblem(tab.call("report", "{\"results\":[{\"resultId\":\"1\",\"success\":{\"outputHash\":\""
                + "x".repeat(70_000) + "\"}}]}"), 413, "at most");
        assertProblem(tab.register("{\"name\":\"x\",\"cores\":1,\"wasm\":{\"memoryMib\":16},\"accountKey\":\"sv_1_x\"}"),
                400, "account_key");
        assertProblem(tab.register("{\"name\":\"x\",\"cores\":1}"), 400, "wasm.memoryMib");
        assertProblem(tab.register("{\"name\":\"x\",\"cores\":0,\"wasm\":{\"memoryMib\":16}}"), 400, "cores");
        assertProblem(tab.call("rotate-token", "{\"hostToken\":\"mine\"}"), 400, "RotateTokenRequest");

        tab.hostToken = tab.hostToken + "x";
        assertProblem(tab.call("work", "{}"), 401, "unknown host token");
        TestApi.Response noProtocol = tab.web.send(tab.web.request("/api/v1/browser/work")
                .header("Authorization", "Bearer " + tab.hostToken).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
        assertProblem(noProtocol, 412, "protocol");
        assertProblem(tab.beacon("not json"), 400, "JSON");
        assertProblem(tab.beacon("{\"token\":\"x\",\"resultIds\":[],\"more\":1}"), 400, "more");
    }

    @Test
    void blobsComeWithTheirManifestAndRangesToHoldersOfAFetchTokenAndCountInTheJobsTransfers() throws Exception {
        long id = job("small", 1, 1);
        BrowserTab tab = registered(tab("tab-fetcher"));
        JsonNode task = tasks(tab.call("work", "{\"maxTasks\":1}")).get(0);
        JsonNode source = task.get("inputs").get(0);
        String blob = source.get("blobId").asString();
        String token = source.get("token").asString();
        byte[] module = WasmModules.command("small");

        JsonNode manifest = tab.web.get("/api/v1/browser/blobs/" + blob + "/manifest", "Starling-Fetch-Token", token)
                .json();
        assertThat(manifest.get("size").asString()).isEqualTo(Integer.toString(module.length));
        assertThat(manifest.get("chunks").get(0).asString())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module)));

        HttpResponse<byte[]> range = tab.http.send(HttpRequest.newBuilder(java.net.URI.create(tab.base
                + "/api/v1/browser/blobs/" + blob)).header("Starling-Fetch-Token", token)
                .header("Range", "bytes=2-9").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(module, 2, 10));
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 2-9/" + module.length);
        HttpResponse<byte[]> whole = tab.http.send(HttpRequest.newBuilder(java.net.URI.create(tab.base
                + "/api/v1/browser/blobs/" + blob)).header("Starling-Fetch-Token", token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.body()).isEqualTo(module);
        HttpResponse<byte[]> cached = tab.http.send(HttpRequest.newBuilder(java.net.URI.create(tab.base
                + "/api/v1/browser/blobs/" + blob)).header("Starling-Fetch-Token", token)
                .header("If-None-Match", whole.headers().firstValue("ETag").orElseThrow()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(cached.statusCode()).isEqualTo(304);
        // the bytes served, as PeerService counts them: the range and the whole blob, nothing for the manifest or a 304
        // (recorded as each read ends, which may be just after the client has the last byte)
        await().until(() -> owner.job(id).path("transfer").path("bytesFromCoordinator").asLong(0),
                bytes -> bytes == 8 + module.length);

        assertProblem(tab.web.get("/api/v1/browser/blobs/" + blob, "Starling-Fetch-Token", "forged.token"), 401,
                "fetch token refused");
        String other = ContentAddress.of(WasmModules.command("big"));
        assertProblem(tab.web.get("/api/v1/browser/blobs/" + other, "Starling-Fetch-Token", token), 403,
                "it grants blob");
        assertProblem(tab.web.get("/api/v1/browser/blobs/" + blob + "/manifest"), 401, "no fetch token");
    }

    @Test
    void theVolunteerPageIsCrossOriginIsolatedAndLeadsToSignInAndBack() {
        BrowserTab tab = new BrowserTab(httpPort);
        HttpResponse<String> anonymous = tab.open();
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).endsWith("/account/login");

        BrowserTab signedIn = tab("tab-page");
        HttpResponse<String> page = signedIn.open();
        assertThat(page.body()).contains("<main id=\"volunteer\"").contains("/js/volunteer/main.js")
                .contains("name=\"_csrf_header\" content=\"X-CSRF-TOKEN\"");
        assertThat(page.headers().firstValue("Cross-Origin-Opener-Policy")).hasValue("same-origin");
        assertThat(page.headers().firstValue("Cross-Origin-Embedder-Policy")).hasValue("require-corp");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("'wasm-unsafe-eval'")
                .contains("default-src 'self'");
        HttpResponse<String> account = signedIn.web.exchange(signedIn.web.request("/account").GET().build());
        assertThat(account.headers().firstValue("Content-Security-Policy").orElseThrow())
                .doesNotContain("wasm-unsafe-eval");
        assertThat(account.headers().firstValue("Cross-Origin-Embedder-Policy")).isEmpty();

        // signing in from the volunteer page leads back to it
        String key = signUp("tab-returner");
        TestApi volunteer = anonymous().withKey(key);
        volunteer.send(volunteer.request("/api/v1/volunteers/me/password").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}")).build());
        BrowserTab returner = new BrowserTab(httpPort);
        assertThat(returner.open().statusCode()).isEqualTo(302);
        assertThat(returner.signIn(volunteer.get("/api/v1/volunteers/me").json().get("email").asString(), PASSWORD))
                .endsWith("/volunteer");
    }

    @Test
    void aVisitorSignsUpOnThePageWithAPasswordAndSignsInToTheVolunteerPage() {
        BrowserTab visitor = new BrowserTab(httpPort);
        assertThat(visitor.open().statusCode()).as("signed out: to the sign-in page").isEqualTo(302);
        assertThat(visitor.web.get("/account/login").body()).contains("href=\"/account/signup\"");

        HttpResponse<String> weak = visitor.signUpOnPage("Wanda", "wanda@example.org", "short");
        assertThat(weak.body()).contains("The password must have at least 8 characters");
        HttpResponse<String> done = visitor.signUpOnPage("Wanda", "wanda@example.org", PASSWORD);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("Welcome, <span>Wanda</span>").containsPattern("value=\"sv_[0-9]+_[^\"]+\"");
        assertThat(visitor.signUpOnPage("Wanda again", "wanda@example.org", PASSWORD).body())
                .as("an email signs up once").contains("exists already");

        assertThat(visitor.signIn("wanda@example.org", PASSWORD)).as("signed in, back to the page that sent it")
                .endsWith("/volunteer");
        assertThat(visitor.open().statusCode()).isEqualTo(200);
        assertThat(visitor.register().status()).as("and it volunteers").isEqualTo(200);
    }

    private static WasmOutputFile file(String name, String content) {
        return WasmOutputFile.newBuilder().setName(name).setContent(ByteString.copyFromUtf8(content)).build();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
