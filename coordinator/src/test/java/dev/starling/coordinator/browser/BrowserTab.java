package dev.starling.coordinator.browser;

import dev.starling.coordinator.TestApi;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A browser tab on the volunteer page, as the page's scripts speak to the coordinator: a volunteer's web session
 * (cookies), the CSRF token from the page's meta tag, and the host identity Register gave (kept across visits, as the
 * page keeps it in localStorage).
 */
final class BrowserTab {
    private static final Pattern FORM_CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern META_CSRF = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

    final TestApi web;
    final HttpClient http;
    final String base;
    String email;
    String csrf;
    long hostId;
    String hostToken;
    String giveBackToken;

    BrowserTab(int port) {
        base = "http://localhost:" + port;
        http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        web = new TestApi(base, null, http);
    }

    /** Signs in with the account pages' form; answers where the form sent the browser. */
    String signIn(String email, String password) {
        this.email = email;
        Matcher m = FORM_CSRF.matcher(web.get("/account/login").body());
        if (!m.find()) {
            throw new AssertionError("the sign-in page has no CSRF token");
        }
        HttpResponse<String> r = web.exchange(web.request("/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(email) + "&password=" + enc(password)
                        + "&_csrf=" + enc(m.group(1)))).build());
        return r.headers().firstValue("Location").orElse("");
    }

    /** Fills the sign-up page's form; answers the page it shows next. */
    HttpResponse<String> signUpOnPage(String name, String email, String password) {
        Matcher m = FORM_CSRF.matcher(web.get("/account/signup").body());
        if (!m.find()) {
            throw new AssertionError("the sign-up page has no CSRF token");
        }
        return web.exchange(web.request("/account/signup").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=" + enc(name) + "&email=" + enc(email) + "&password="
                        + enc(password) + "&_csrf=" + enc(m.group(1)))).build());
    }

    /** Opens the volunteer page and reads its CSRF token, as the page's scripts do. */
    HttpResponse<String> open() {
        HttpResponse<String> page = web.exchange(web.request("/volunteer").GET().build());
        Matcher m = META_CSRF.matcher(page.body());
        if (page.statusCode() == 200 && m.find()) {
            csrf = m.group(1);
        }
        return page;
    }

    /** Register with the session and its CSRF token; keeps the identity it is given. */
    TestApi.Response register(String json) {
        TestApi.Response r = web.send(web.request("/api/v1/browser/register").header("Content-Type", "application/json")
                .header("X-CSRF-TOKEN", csrf).header("Starling-Protocol", "1")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        if (r.status() == 200) {
            JsonNode answer = r.json();
            hostId = Long.parseLong(answer.get("hostId").asString());
            hostToken = answer.get("hostToken").asString();
            giveBackToken = answer.get("giveBackToken").asString();
        }
        return r;
    }

    /** A registration as the page makes it, with the identity kept from before (if any). */
    TestApi.Response register() {
        // it says it runs a built-in app, and gives more memory than browsers may: neither is taken
        return register("{\"name\":\"Chrome 131 on Linux\",\"cores\":4,\"memoryBytes\":\"8589934592\","
                + "\"apps\":[\"primes\"],\"wasm\":{\"memoryMib\":64}" + (hostId == 0 ? "" : ",\"hostId\":\"" + hostId
                + "\",\"hostToken\":\"" + hostToken + "\"") + "}");
    }

    /** A call of the facade with the host token. */
    TestApi.Response call(String path, String json) {
        return web.send(web.request("/api/v1/browser/" + path).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + hostToken).header("Starling-Protocol", "1")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A beacon: text/plain, no header but the cookies. */
    TestApi.Response beacon(String body) {
        return web.send(web.request("/api/v1/browser/give-back").header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
