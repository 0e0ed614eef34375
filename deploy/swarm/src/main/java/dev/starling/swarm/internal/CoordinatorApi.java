package dev.starling.swarm.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The coordinator's REST API as the swarm uses it: job calls with a researcher's API key, volunteer sign-up (open
 * to anyone) and each volunteer's own view with their account key. With several base URLs (coordinators sharing
 * one database) each request goes to the first that answers. Every failure is an {@link ApiException} whose
 * message says what the coordinator answered (its problem {@code detail}) or why it could not be reached.
 */
public final class CoordinatorApi {
    private static final int PAGE_SIZE = 500;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<URI> bases;
    private final HttpClient http;
    private final Duration timeout;
    /** "Bearer <researcher's API key>" for job calls, or null */
    private final String researcher;

    /** @param apiKey a researcher's API key for the job calls; null when the swarm makes none */
    public CoordinatorApi(List<URI> bases, Duration timeout, String apiKey) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("no REST address");
        }
        this.bases = bases.stream().map(CoordinatorApi::withoutTrailingSlash).toList();
        this.timeout = timeout;
        this.researcher = apiKey == null ? null : "Bearer " + apiKey;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * A REST call failed: the coordinator refused it ({@link #status()} is its HTTP status) or was unreachable (0); a
     * busy coordinator says when to come back ({@link #retryAfter()}, from a 503's {@code Retry-After}).
     */
    public static final class ApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient Duration retryAfter;

        ApiException(int status, String message) {
            this(status, message, null);
        }

        ApiException(int status, String message, Duration retryAfter) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        public int status() {
            return status;
        }

        /** When a busy coordinator asked to be called again; null when it did not say. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * Submits {@code {"app":"checksum","params":{"workUnits":n,"rounds":r},"redundancy":{"quorum":q}}}, with
     * {@code maxResults} and {@code deadlineSeconds} added when given.
     */
    public JobStatus submitChecksum(long workUnits, long rounds, int quorum, Integer maxResults, Integer deadlineSeconds) {
        ObjectNode body = JSON.createObjectNode();
        body.put("app", "checksum");
        body.putObject("params").put("workUnits", workUnits).put("rounds", rounds);
        ObjectNode redundancy = body.putObject("redundancy").put("quorum", quorum);
        if (maxResults != null) {
            redundancy.put("maxResults", maxResults);
        }
        if (deadlineSeconds != null) {
            body.put("deadlineSeconds", deadlineSeconds);
        }
        return JobStatus.of(send("POST", "/api/v1/jobs", researcher, body.toString(), 201));
    }

    /**
     * Deploys an app version ({@code POST /api/v1/apps}, multipart: the manifest and the module) with the
     * researcher's key; deploying the same version again is fine.
     */
    public void deploy(String manifestJson, byte[] module) {
        String boundary = "swarm-" + java.util.UUID.randomUUID();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        part(body, boundary, "manifest", "application/json", manifestJson.getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "module", "application/wasm", module);
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        try {
            send("POST", "/api/v1/apps", researcher, "multipart/form-data; boundary=" + boundary,
                    HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()), 201);
        } catch (ApiException e) {
            if (e.status() != 200) { // 200: the same version, deployed before
                throw e;
            }
        }
    }

    private static void part(java.io.ByteArrayOutputStream body, String boundary, String name, String type,
            byte[] content) {
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                + name + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Submits {@code {"app": app, "params":{"sweep":{"from":0,"to":n,"step":1,"args":["{index}"]}},
     * "redundancy":{"quorum":q}}}: a deployed app's job of {@code n} work units.
     */
    public JobStatus submitSweep(String app, long workUnits, int quorum, Integer maxResults) {
        ObjectNode body = JSON.createObjectNode();
        body.put("app", app);
        body.putObject("params").putObject("sweep").put("from", 0).put("to", workUnits).put("step", 1)
                .putArray("args").add("{index}");
        ObjectNode redundancy = body.putObject("redundancy").put("quorum", quorum);
        if (maxResults != null) {
            redundancy.put("maxResults", maxResults);
        }
        return JobStatus.of(send("POST", "/api/v1/jobs", researcher, body.toString(), 201));
    }

    public JobStatus job(long id) {
        return JobStatus.of(send("GET", "/api/v1/jobs/" + id, researcher, null, 200));
    }

    /** Whether job calls can be made (a researcher's API key was given). */
    public boolean canReadJobs() {
        return researcher != null;
    }

    /** The sum of validated work units over the newest 500 jobs whose app is checksum. */
    public long checksumValidated() {
        long validated = 0;
        for (JsonNode item : send("GET", "/api/v1/jobs?page=0&size=" + PAGE_SIZE, researcher, null, 200).path("items")) {
            if ("checksum".equals(item.path("app").asString(""))) {
                validated += item.path("workUnits").path("validated").asLong(0);
            }
        }
        return validated;
    }

    public JsonNode result(long jobId) {
        return send("GET", "/api/v1/jobs/" + jobId + "/result", researcher, null, 200);
    }

    /** Signs up a volunteer ({@code POST /api/v1/volunteers}) and returns the account key. */
    public String signUp(String name, String email) {
        ObjectNode body = JSON.createObjectNode().put("name", name).put("email", email);
        return send("POST", "/api/v1/volunteers", null, body.toString(), 201).path("accountKey").asString();
    }

    /** The counts of the hosts of the volunteer whose account key this is ({@code GET /api/v1/volunteers/me}). */
    public List<HostCounts> ownHosts(String accountKey) {
        List<HostCounts> hosts = new ArrayList<>();
        send("GET", "/api/v1/volunteers/me", "Bearer " + accountKey, null, 200).path("hosts")
                .forEach(h -> hosts.add(HostCounts.of(h)));
        return hosts;
    }

    /** Makes a researcher with the admin's credentials ({@code POST /api/v1/admin/researchers}); their API key. */
    public String createResearcher(String name, String adminUser, String adminPassword) {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (adminUser + ":" + adminPassword).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode body = JSON.createObjectNode().put("name", name);
        return send("POST", "/api/v1/admin/researchers", basic, body.toString(), 201).path("key").asString();
    }

    /** True when {@code GET /actuator/health} answers 200. */
    public boolean healthy() {
        try {
            HttpResponse<Void> response = http.send(request("GET", bases.getFirst(), "/actuator/health", null, null, null),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode send(String method, String path, String authorization, String body, int expected) {
        return send(method, path, authorization, body == null ? null : "application/json",
                body == null ? null : HttpRequest.BodyPublishers.ofString(body), expected);
    }

    private JsonNode send(String method, String path, String authorization, String contentType,
            HttpRequest.BodyPublisher body, int expected) {
        IOException last = null;
        for (URI base : bases) {
            HttpResponse<String> response;
            try {
                response = http.send(request(method, base, path, authorization, contentType, body),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, method + " " + base + path + " interrupted");
            }
            if (response.statusCode() != expected) {
                throw new ApiException(response.statusCode(), method + " " + base + path + " answered "
                        + response.statusCode() + ": " + problem(response.body()), retryAfter(response));
            }
            try {
                return JSON.readTree(response.body());
            } catch (JacksonException e) {
                throw new ApiException(response.statusCode(), method + " " + base + path + " answered "
                        + response.statusCode() + " with a body that is not JSON: " + abbreviate(response.body()));
            }
        }
        throw new ApiException(0, method + " " + path + ": no coordinator answered at " + bases + " ("
                + describe(last) + ")");
    }

    private HttpRequest request(String method, URI base, String path, String authorization, String contentType,
            HttpRequest.BodyPublisher body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json, application/problem+json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", contentType).method(method, body).build();
    }

    /** A 503's {@code Retry-After} in seconds, or null. */
    private static Duration retryAfter(HttpResponse<?> response) {
        if (response.statusCode() != 503) {
            return null;
        }
        try {
            return response.headers().firstValue("Retry-After").map(s -> Duration.ofSeconds(Long.parseLong(s.trim())))
                    .orElse(null);
        } catch (NumberFormatException e) {
            return null; // an HTTP date: not sent by the coordinator
        }
    }

    /** The problem's {@code detail} and each field error, or the body itself when it is not a problem. */
    static String problem(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            String detail = problem.path("detail").asString("");
            if (detail.isEmpty()) {
                return abbreviate(body);
            }
            List<String> fields = new ArrayList<>();
            for (JsonNode error : problem.path("errors")) {
                String field = error.path("field").asString("?") + ": " + error.path("message").asString("");
                if (!detail.contains(field)) {
                    fields.add(field);
                }
            }
            return fields.isEmpty() ? detail : detail + " " + fields;
        } catch (JacksonException e) {
            return abbreviate(body);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        return e == null ? "no address" : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
