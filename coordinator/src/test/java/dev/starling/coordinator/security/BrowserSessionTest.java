package dev.starling.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The admin's browser session over real HTTP, as a browser keeps it (cookies, no redirects followed): the login
 * page, form login and logout, CSRF on every state-changing call made with the session, the admin API reached
 * with the session, security headers, and login throttling.
 */
class BrowserSessionTest extends CoordinatorTest {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    /** A browser: its own cookie jar. */
    private final class Browser {
        final TestApi api = new TestApi("http://localhost:" + httpPort, null, HttpClient.newBuilder()
                .cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build());

        /** The CSRF token of the login page (the form's hidden field). */
        String csrf() {
            HttpResponse<String> page = api.exchange(api.request("/login").GET().build());
            Matcher m = CSRF.matcher(page.body());
            assertThat(m.find()).as("the login form carries a CSRF token").isTrue();
            return m.group(1);
        }

        HttpResponse<String> login(String password, String csrf) {
            return form("/login", "username=admin&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                    + (csrf == null ? "" : "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8)));
        }

        HttpResponse<String> form(String path, String body) {
            return api.exchange(api.request(path).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        }

        HttpResponse<String> postJson(String path, String json, String csrf) {
            HttpRequest.Builder b = api.request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json));
            if (csrf != null) {
                b.header("X-CSRF-TOKEN", csrf);
            }
            return api.exchange(b.build());
        }
    }

    @Test
    void theLoginPageIsPlainHtmlWithStrictHeaders() {
        HttpResponse<String> page = new Browser().api.exchange(anonymous().request("/login").GET().build());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form", "name=\"username\"", "name=\"password\"", "name=\"_csrf\"");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(SecurityConfig.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    }

    @Test
    void aDashboardPageWithoutASessionRedirectsToTheLoginPage() {
        HttpResponse<String> r = new Browser().api.exchange(anonymous().request("/dashboard").GET().build());

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    @Test
    void theAdminLogsInReachesTheAdminApiWithTheSessionAndLogsOut() {
        Browser browser = new Browser();

        HttpResponse<String> login = browser.login(ADMIN_PASSWORD, browser.csrf());

        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/dashboard"));
        assertThat(browser.api.get("/api/v1/admin/researchers").status()).isEqualTo(200);
        assertThat(browser.api.get("/api/v1/hosts").status()).isEqualTo(200);

        HttpResponse<String> withoutToken = browser.postJson("/api/v1/admin/researchers", "{\"name\":\"x\"}", null);
        assertThat(withoutToken.statusCode()).as("a call with the session but no CSRF token").isEqualTo(403);
        assertThat(withoutToken.body()).contains("CSRF token");
        String token = browser.csrf(); // a login changes the token
        assertThat(browser.postJson("/api/v1/admin/researchers", "{\"name\":\"x\"}", token).statusCode()).isEqualTo(201);

        assertThat(browser.form("/logout", "").statusCode()).as("logout without the token").isEqualTo(403);
        HttpResponse<String> logout = browser.form("/logout", "_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(logout.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?logout"));
        assertThat(browser.api.get("/api/v1/admin/researchers").status()).isEqualTo(401);
    }

    @Test
    void aLoginWithoutTheCsrfTokenOrWithAWrongPasswordIsRefused() {
        Browser browser = new Browser();
        String token = browser.csrf();

        assertThat(browser.login(ADMIN_PASSWORD, null).statusCode()).as("no CSRF token").isEqualTo(403);
        HttpResponse<String> wrong = browser.login("guess", token);
        assertThat(wrong.statusCode()).isEqualTo(302);
        assertThat(wrong.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(browser.api.get("/api/v1/admin/researchers").status()).isEqualTo(401);
        assertThat(browser.api.get("/login?error").body()).contains("Wrong user name or password.");
        // the failure counts toward the throttle; a success clears it
        assertThat(browser.login(ADMIN_PASSWORD, browser.csrf()).statusCode()).isEqualTo(302);
    }

    @Test
    void anAddressThatFailedTooOftenIsRefusedEvenTheRightPasswordUntilTheWindowEnds() {
        Browser browser = new Browser();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(anonymous().asAdmin("guess-" + i).get("/api/v1/hosts").status()).isEqualTo(401);
            }

            TestApi.Response basic = api().get("/api/v1/hosts");
            assertThat(basic.status()).isEqualTo(429);
            assertThat(basic.json().get("detail").asString()).contains("too many failed logins from this address");
            HttpResponse<String> form = browser.login(ADMIN_PASSWORD, browser.csrf());
            assertThat(form.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?locked"));

            clock.advance(Duration.ofMinutes(15));
            assertThat(api().get("/api/v1/hosts").status()).isEqualTo(200);
        } finally {
            clock.advance(Duration.ofMinutes(15)); // other tests of this class log in from the same address
        }
    }
}
