package dev.starling.coordinator;

import dev.starling.coordinator.app.WasmModules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The coordinator's REST API over real HTTP, as a researcher's script would use it: without credentials, with a key
 * ({@code Authorization: Bearer}), or as the admin (HTTP Basic).
 */
public final class TestApi {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient http;
    private final String base;
    private final String authorization;

    public TestApi(int port) {
        this("http://localhost:" + port, null, HTTP);
    }

    public TestApi(String base, String authorization, HttpClient http) {
        this.base = base;
        this.authorization = authorization;
        this.http = http;
    }

    /** The same API with {@code Authorization: Bearer <key>}. */
    public TestApi withKey(String key) {
        return new TestApi(base, "Bearer " + key, http);
    }

    /** The same API as the admin, by HTTP Basic. */
    public TestApi asAdmin(String password) {
        return new TestApi(base, "Basic " + Base64.getEncoder().encodeToString(("admin:" + password)
                .getBytes(StandardCharsets.UTF_8)), http);
    }

    /** The same API with this Authorization header (null: none). */
    public TestApi withAuthorization(String value) {
        return new TestApi(base, value, http);
    }

    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    public Response get(String path) {
        return send(request(path).GET().build());
    }

    /** A GET with one extra header. */
    public Response get(String path, String header, String value) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header(header, value).GET().build());
    }

    public Response post(String path, String jsonBody) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build());
    }

    /** A request to {@code path} with this API's credentials; more can be added before it is sent. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    public Response postRaw(String path, String contentType, String body) {
        HttpRequest.Builder b = request(path)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    /** One part of a multipart/form-data body. */
    public record Part(String name, String contentType, byte[] content) {}

    /** A multipart/form-data POST, as {@code curl -F} sends it. */
    public Response postMultipart(String path, Part... parts) {
        String boundary = "starling-test-" + java.util.UUID.randomUUID();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (Part p : parts) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name()
                    + "\"; filename=\"" + p.name() + "\"\r\nContent-Type: " + p.contentType() + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(p.content());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    /** Deploys an app version ({@code POST /api/v1/apps}: a manifest and a module). */
    public Response deploy(String manifestJson, byte[] module) {
        return postMultipart("/api/v1/apps", new Part("manifest", "application/json",
                manifestJson.getBytes(StandardCharsets.UTF_8)), new Part("module", "application/wasm", module));
    }

    /**
     * Deploys {@code name@1.0.0}, a WASI command printing its name ({@code WasmModules.command}) whose tasks ask for
     * {@code memoryMiB}, 60 CPU seconds and 4096 output bytes, validated bitwise (fails the test on anything but 201).
     */
    public void deployCommand(String name, int memoryMiB) {
        Response r = deploy("{\"name\":\"" + name + "\",\"version\":\"1.0.0\","
                + "\"limits\":{\"memoryMiB\":" + memoryMiB + ",\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},"
                + "\"validation\":{\"kind\":\"bitwise\"},\"credit\":{\"perWorkUnit\":1}}", WasmModules.command(name));
        if (r.status() != 201) {
            throw new AssertionError("deploy answered " + r.status() + ": " + r.body());
        }
    }

    /**
     * Submits a job of a deployed app with {@code workUnits} work units (the args of work unit i are {@code ["i"]}) and
     * {@code extra} fields (",\"redundancy\":{...}"); returns its id once it is split.
     */
    public long submitWorkUnits(String app, int workUnits, String extra) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < workUnits; i++) {
            list.append(i == 0 ? "" : ",").append("{\"args\":[\"").append(i).append("\"]}");
        }
        long id = submit("{\"app\":\"" + app + "\",\"params\":{\"workUnits\":[" + list + "]}" + extra + "}");
        Awaitility.await().until(() -> job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    /** Uploads a blob and returns its id (fails the test on anything but 201). */
    public String upload(byte[] bytes) {
        Response r = send(request("/api/v1/blobs").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
        if (r.status() != 201) {
            throw new AssertionError("upload answered " + r.status() + ": " + r.body());
        }
        return r.json().get("id").asString();
    }

    /** Submits a job and returns its id (fails the test on anything but 201). */
    public long submit(String jsonBody) {
        Response r = post("/api/v1/jobs", jsonBody);
        if (r.status() != 201) {
            throw new AssertionError("submit answered " + r.status() + ": " + r.body());
        }
        return r.json().get("id").asLong();
    }

    public JsonNode job(long id) {
        return get("/api/v1/jobs/" + id).json();
    }

    public Response send(HttpRequest request) {
        HttpResponse<String> r = exchange(request);
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** Sends the request and answers the whole response (headers too). */
    public HttpResponse<String> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
