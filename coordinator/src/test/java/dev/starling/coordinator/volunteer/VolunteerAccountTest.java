package dev.starling.coordinator.volunteer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.Task;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A volunteer's account over real HTTP and gRPC: the web password set with the account key, sign-in with the email
 * (and what a volunteer's session may not reach), their hosts paused, resumed, renamed and retired (and what the
 * worker hears of it), another volunteer's host out of reach, bad input answered 4xx, and the credit history.
 */
@TestPropertySource(properties = "starling.dispatch.max-wait=10m") // a long poll ends early only when woken
class VolunteerAccountTest extends CoordinatorTest {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    private TestHost host(String accountKey, String name) {
        return closedAfterTest(TestHost.registered(grpcPort(), accountKey, name, "primes"));
    }

    private static TestApi.Response put(TestApi api, String path, String json) {
        return api.send(api.request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static String email(TestApi volunteer) {
        return volunteer.get("/api/v1/volunteers/me").json().get("email").asString();
    }

    @Test
    void theAccountKeySetsThePasswordAndBadPasswordsAre400Problems() {
        TestApi ada = anonymous().withKey(signUp("ada"));

        TestApi.Response tooShort = put(ada, "/api/v1/volunteers/me/password", "{\"password\":\"short\"}");
        TestApi.Response tooLong = put(ada, "/api/v1/volunteers/me/password", "{\"password\":\"" + "é".repeat(40) + "\"}");
        TestApi.Response notJson = put(ada, "/api/v1/volunteers/me/password", "password=x");
        TestApi.Response anonymous = put(anonymous(), "/api/v1/volunteers/me/password", "{\"password\":\"long enough\"}");

        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.contentType()).startsWith("application/problem+json");
        assertThat(tooShort.json().get("errors").findValuesAsString("field")).containsExactly("password");
        assertThat(tooLong.status()).as("bcrypt reads 72 bytes: more is refused, not cut").isEqualTo(400);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(put(ada, "/api/v1/volunteers/me/password", "{\"password\":\"correct horse\"}").status()).isEqualTo(204);
        assertThat(WebSession.signIn(httpPort, email(ada), "correct horse")).isPresent();
        assertThat(WebSession.signIn(httpPort, email(ada), "wrong horse")).isEmpty();
    }

    @Test
    void aSignedInVolunteerSeesTheirAccountButNeverTheAdminsPages() {
        String key = signUp("grace");
        TestApi grace = anonymous().withKey(key);
        put(grace, "/api/v1/volunteers/me/password", "{\"password\":\"grace's password\"}");
        host(key, "grace-laptop");
        WebSession web = WebSession.signIn(httpPort, email(grace), "grace's password").orElseThrow();

        assertThat(web.get("/account").body()).contains("grace-laptop");
        assertThat(names(web.get("/api/v1/volunteers/me/hosts").json())).containsExactly("grace-laptop");
        assertThat(web.get("/dashboard").status()).isEqualTo(403);
        assertThat(web.get("/dashboard/hosts").body()).doesNotContain("grace-laptop");
        assertThat(web.get("/api/v1/hosts").status()).isEqualTo(403);
        assertThat(web.get("/api/v1/admin/volunteers").status()).isEqualTo(403);
        assertThat(anonymous().get("/account").status()).as("to the sign-in page").isEqualTo(302);
    }

    @Test
    void theAccountPageSaysWhyAnIdleHostGetsNoWork() {
        String key = signUp("ida");
        TestApi ida = anonymous().withKey(key);
        put(ida, "/api/v1/volunteers/me/password", "{\"password\":\"ida's password\"}");
        // an app no job of this class uses: nothing is ever queued for it
        TestHost idle = closedAfterTest(TestHost.registered(grpcPort(), key, "ida-idle", "integrate"));
        WebSession web = WebSession.signIn(httpPort, email(ida), "ida's password").orElseThrow();
        assertThat(web.get("/account").body()).doesNotContain("no work (told so first");

        assertThat(idle.poll(4).getNoWork().getReason()).isEqualTo(NoWork.Reason.NO_WORK);

        JsonNode noWork = ida.get("/api/v1/volunteers/me/hosts").json().get(0).get("noWork");
        assertThat(noWork.get("reason").asString()).isEqualTo("NO_WORK");
        assertThat(noWork.get("message").asString()).startsWith("no work is queued for the apps this host runs (integrate)");
        assertThat(web.get("/account").body()).contains("id=\"no-work-" + idle.id() + "\"", "no work (told so first",
                "no work is queued for the apps this host runs (integrate)");
    }

    @Test
    void aPausedHostIsToldSoGetsNoTaskUntilResumedAndAnotherVolunteerCannotTouchIt() throws Exception {
        String key = signUp("pauser");
        TestApi pauser = anonymous().withKey(key);
        TestHost a = host(key, "pauser-a");
        TestHost b = host(key, "pauser-b");
        TestApi stranger = anonymous().withKey(signUp("stranger"));
        cancelActiveJobs();
        api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":8000,\"chunkSize\":1000}}");
        Task running = await().until(() -> a.requestWork(1), l -> !l.isEmpty()).get(0);

        assertThat(pauser.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/pause", null, null).json().get("hosts")
                .asInt()).isEqualTo(1);

        assertThat(a.heartbeat(running).getControl().getPaused()).as("a busy host hears it with its heartbeat").isTrue();
        assertThat(a.poll(5).getTasksList()).as("no new task while paused").isEmpty();
        assertThat(a.poll(5).getControl().getPaused()).as("an idle host hears it with its long poll").isTrue();
        assertThat(b.poll(1).getControl().getPaused()).isFalse();
        assertThat(pauser.get("/api/v1/volunteers/me/hosts").json().findValues("pausedAt").get(0).isNull()).isFalse();

        assertThat(stranger.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/resume", null, null).status())
                .isEqualTo(404);
        assertThat(stranger.get("/api/v1/volunteers/me/hosts").json()).isEmpty();
        assertThat(a.poll(0).getControl().getPaused()).as("still paused").isTrue();

        assertThat(pauser.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/resume", null, null).json().get("hosts")
                .asInt()).isEqualTo(1);
        assertThat(a.poll(5).getControl().getPaused()).isFalse();
        assertThat(a.requestWork(1)).isNotEmpty();

        assertThat(pauser.postRaw("/api/v1/volunteers/me/hosts/pause", null, null).json().get("hosts").asInt())
                .isEqualTo(2);
        assertThat(b.poll(0).getControl().getPaused()).isTrue();
        assertThat(pauser.postRaw("/api/v1/volunteers/me/hosts/resume", null, null).json().get("hosts").asInt())
                .isEqualTo(2);
    }

    @Test
    void aLongPollOfAPausedHostEndsAtOnceWhenItIsResumed() throws Exception {
        String key = signUp("waiter");
        TestHost a = host(key, "waiter-a");
        TestApi waiter = anonymous().withKey(key);
        waiter.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/pause", null, null);
        a.poll(0); // its token is looked up again: paused

        var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> a.stub(true).requestWork(
                RequestWorkRequest.newBuilder().setMaxTasks(0).setWaitMillis(600_000).build()));
        await().during(Duration.ofMillis(300)).until(() -> !answer.isDone());
        waiter.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/resume", null, null);

        // the stub's deadline (30 s) is far shorter than the wait granted (10 min): only the resume can end it in time
        assertThat(answer.get(60, java.util.concurrent.TimeUnit.SECONDS).getControl().getPaused()).isTrue();
    }

    @Test
    void anIdleHostsLongPollEndsSoonAfterItsVolunteerChangesThePreferences() throws Exception {
        String key = signUp("tuner");
        // an app no job of this class uses: its long poll finds no work
        TestHost a = closedAfterTest(TestHost.registered(grpcPort(), key, "tuner-a", "integrate"));
        TestApi tuner = anonymous().withKey(key);

        var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> a.stub(true).requestWork(
                RequestWorkRequest.newBuilder().setMaxTasks(2).setWaitMillis(600_000).build()));
        await().during(Duration.ofMillis(300)).until(() -> !answer.isDone());
        assertThat(put(tuner, "/api/v1/volunteers/me/preferences/default", "{\"cpuLimit\":40}").status())
                .isEqualTo(200);

        // the stub's deadline (30 s) is far shorter than the wait granted (10 min): only the change can end it in time
        var control = answer.get(60, java.util.concurrent.TimeUnit.SECONDS).getControl();
        assertThat(control.getPreferencesMap()).containsEntry("cpuLimit", "40");
    }

    @Test
    void renameAndRetireAndTheirBadInput() {
        String key = signUp("renamer");
        TestApi renamer = anonymous().withKey(key);
        TestHost a = host(key, "renamer-a");
        TestHost b = host(key, "renamer-b");

        assertThat(put(renamer, "/api/v1/volunteers/me/hosts/" + a.id() + "/name", "{\"name\":\"Kitchen PC\"}").status())
                .isEqualTo(204);
        TestApi.Response tooLong = put(renamer, "/api/v1/volunteers/me/hosts/" + a.id() + "/name",
                "{\"name\":\"" + "x".repeat(101) + "\"}");
        TestApi.Response control = put(renamer, "/api/v1/volunteers/me/hosts/" + a.id() + "/name", "{\"name\":\"a\\u0000b\"}");
        TestApi.Response notANumber = renamer.postRaw("/api/v1/volunteers/me/hosts/abc/pause", null, null);
        TestApi.Response unknownAction = renamer.postRaw("/api/v1/volunteers/me/hosts/" + a.id() + "/explode", null, null);
        TestApi.Response badDays = renamer.get("/api/v1/volunteers/me/credit?days=0");

        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.contentType()).startsWith("application/problem+json");
        assertThat(control.status()).isEqualTo(400);
        assertThat(notANumber.status()).isBetween(400, 404);
        assertThat(notANumber.contentType()).startsWith("application/problem+json");
        assertThat(unknownAction.status()).isEqualTo(404);
        assertThat(badDays.status()).isEqualTo(400);
        assertThat(names(renamer.get("/api/v1/volunteers/me/hosts").json()))
                .containsExactly("Kitchen PC", "renamer-b");

        assertThat(renamer.postRaw("/api/v1/volunteers/me/hosts/" + b.id() + "/retire", null, null).status())
                .isEqualTo(204);
        assertThat(names(renamer.get("/api/v1/volunteers/me/hosts").json()))
                .containsExactly("Kitchen PC");
        assertThatThrownBy(() -> b.poll(1)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("retired");
        });
        assertThat(renamer.postRaw("/api/v1/volunteers/me/hosts/" + b.id() + "/pause", null, null).status())
                .as("a retired host is gone from the account").isEqualTo(404);
    }

    @Test
    void validatedResultsShowInTodaysCreditAndTheHistory() {
        String key = signUp("earner");
        TestApi earner = anonymous().withKey(key);
        TestHost mine = host(key, "earner-host");
        TestHost partner = volunteerHost("partner", "primes");
        cancelActiveJobs();
        long job = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000}}");
        await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
        Task t1 = await().until(() -> mine.requestWork(1), l -> !l.isEmpty()).get(0);
        Task t2 = await().until(() -> partner.requestWork(1), l -> !l.isEmpty()).get(0);
        mine.succeed(t1, "168");
        partner.succeed(t2, "168");

        JsonNode today = await().until(() -> earner.get("/api/v1/volunteers/me/credit?days=7").json(),
                days -> days.get(6).get("credit").asDouble() > 0);
        assertThat(today).hasSize(7);
        assertThat(today.get(6).get("valid").asLong()).isEqualTo(1);
        assertThat(today.get(0).get("credit").asDouble()).isZero();
        JsonNode host = earner.get("/api/v1/volunteers/me/hosts").json().get(0);
        assertThat(host.get("validToday").asLong()).isEqualTo(1);
        assertThat(host.get("creditToday").asDouble()).isEqualTo(today.get(6).get("credit").asDouble());
    }

    @Test
    void preferencesAreCheckedAndEachHostGetsItsVenuesSet() {
        String key = signUp("prefs");
        TestApi prefs = anonymous().withKey(key);
        TestHost home = host(key, "prefs-home");
        TestHost office = host(key, "prefs-office");

        TestApi.Response bad = put(prefs, "/api/v1/volunteers/me/preferences/default",
                "{\"cores\":0,\"cpuLimit\":\"150\",\"computeHours\":\"25:00-07:00\",\"memoryLimit\":\"1M\","
                        + "\"workBuffer\":\"3d\",\"colour\":\"blue\",\"idleOnly\":{\"x\":1}}");
        TestApi.Response badVenue = put(prefs, "/api/v1/volunteers/me/preferences/moon", "{\"cpuLimit\":50}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(badVenue.status()).isEqualTo(400);
        assertThat(home.poll(0).getControl().getPreferencesMap()).as("nothing was stored").isEmpty();
        TestApi.Response partlyBad = put(prefs, "/api/v1/volunteers/me/preferences/default",
                "{\"cores\":0,\"cpuLimit\":\"150\",\"computeHours\":\"25:00-07:00\",\"memoryLimit\":\"1M\","
                        + "\"workBuffer\":\"3d\",\"colour\":\"blue\"}");
        assertThat(partlyBad.json().get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("cores", "cpuLimit", "computeHours", "memoryLimit", "workBuffer", "colour");

        TestApi.Response ok = put(prefs, "/api/v1/volunteers/me/preferences/default",
                "{\"cores\":\"50 %\",\"cpuLimit\":60,\"cpuLimitIdle\":\"100%\",\"idleOnly\":true,"
                        + "\"computeHours\":\"22:00-07:00, 12:00-13:00\",\"memoryLimit\":\"2g\",\"workBuffer\":\"30m\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(put(prefs, "/api/v1/volunteers/me/preferences/work", "{\"cpuLimit\":\"25\"}").status())
                .isEqualTo(200);
        assertThat(put(prefs, "/api/v1/volunteers/me/hosts/" + office.id() + "/venue", "{\"venue\":\"work\"}").status())
                .isEqualTo(204);
        assertThat(put(prefs, "/api/v1/volunteers/me/hosts/" + office.id() + "/venue", "{\"venue\":\"mars\"}").status())
                .isEqualTo(400);

        var atHome = home.poll(0).getControl();
        assertThat(atHome.getVenue()).isEqualTo("default");
        assertThat(atHome.getPreferencesMap()).containsEntry("cores", "50%").containsEntry("cpuLimit", "60")
                .containsEntry("cpuLimitIdle", "100").containsEntry("idleOnly", "true")
                .containsEntry("computeHours", "22:00-07:00,12:00-13:00").containsEntry("memoryLimit", "2G")
                .containsEntry("workBuffer", "30m");
        var atWork = office.poll(0).getControl();
        assertThat(atWork.getVenue()).isEqualTo("work");
        assertThat(atWork.getPreferencesMap()).containsExactly(java.util.Map.entry("cpuLimit", "25"));
        assertThat(prefs.get("/api/v1/volunteers/me/preferences").json().get("hosts").get(Long.toString(office.id()))
                .asString()).isEqualTo("work");

        assertThat(prefs.send(prefs.request("/api/v1/volunteers/me/preferences/work").DELETE().build()).status())
                .isEqualTo(204);
        assertThat(office.poll(0).getControl().getPreferencesMap()).as("the default set, once work has none")
                .containsEntry("cpuLimit", "60");
    }

    /** The names the volunteer sees their hosts by. */
    private static java.util.List<String> names(JsonNode hosts) {
        return hosts.valueStream().map(h -> h.get("name").asString()).toList();
    }

    /** A browser's session over plain HTTP: a cookie jar, no redirects followed, signed in through the form. */
    static final class WebSession {
        final TestApi api;

        private WebSession(int port) {
            api = new TestApi("http://localhost:" + port, null, HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NEVER).build());
        }

        /** Signs in with the form; empty when the form sends the browser back to the sign-in page with an error. */
        static java.util.Optional<WebSession> signIn(int port, String email, String password) {
            WebSession s = new WebSession(port);
            Matcher m = CSRF.matcher(s.api.get("/account/login").body());
            if (!m.find()) {
                throw new AssertionError("the sign-in page has no CSRF token");
            }
            TestApi.Response r = s.api.send(s.api.request("/login")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(email) + "&password=" + enc(password)
                            + "&_csrf=" + enc(m.group(1)))).build());
            String location = s.api.exchange(s.api.request("/account").GET().build()).statusCode() == 200 ? "/account"
                    : "";
            return r.status() == 302 && location.equals("/account") ? java.util.Optional.of(s)
                    : java.util.Optional.empty();
        }

        TestApi.Response get(String path) {
            return api.get(path);
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
