package dev.starling.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The coordinator's REST API as the command line calls it. Every failure is a {@link CliException} with one line
 * that says what happened: for an answer the coordinator refused ({@link ExitCodes#REFUSED}) or failed
 * ({@link ExitCodes#UNAVAILABLE}), its status and its problem's {@code detail} and field errors; for a call that
 * never got an answer ({@link ExitCodes#UNAVAILABLE}), what to check and where the setting came from.
 */
final class Api {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** for calls with small bodies; uploads and downloads take as long as their bytes need */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final String USER_AGENT = "starling-cli/" + StarlingCli.version();

    private final Connection.Resolved to;
    private final HttpClient http;

    Api(Connection.Resolved to) {
        this.to = to;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** This API with the key required: a command that needs one fails before calling when none was given. */
    Api withKey() {
        if (to.key() == null) {
            throw CliException.invalid("no API key: give --api-key, set $" + Connection.KEY_VARIABLE + ", or put"
                    + " 'api-key = ...' in the config file (the admin makes researchers' keys)");
        }
        return this;
    }

    URI url() {
        return to.url();
    }

    JsonNode get(String path) {
        return json(send(request(path, CALL_TIMEOUT).GET()));
    }

    JsonNode post(String path, String json) {
        return json(send(request(path, CALL_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    /** A POST of a file's bytes as the body. */
    JsonNode postFile(String path, Path file, String contentType) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw CliException.invalid("cannot read " + file + ": no such file");
        }
        return json(send(request(path, null).header("Content-Type", contentType).POST(body)));
    }

    /** One part of a {@code multipart/form-data} body. */
    record Part(String name, String fileName, String contentType, HttpRequest.BodyPublisher content) {}

    /** A JSON answer and its status, for a caller to whom 200 and 201 mean different things. */
    record Answer(int status, JsonNode body) {}

    Answer postMultipart(String path, List<Part> parts) {
        String boundary = "starling-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> body = new ArrayList<>();
        for (Part part : parts) {
            body.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                    + part.name() + "\"" + (part.fileName() == null ? "" : "; filename=\"" + quoted(part.fileName()) + "\"")
                    + "\r\nContent-Type: " + part.contentType() + "\r\n\r\n", StandardCharsets.UTF_8));
            body.add(part.content());
            body.add(HttpRequest.BodyPublishers.ofString("\r\n"));
        }
        body.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpResponse<InputStream> response = send(request(path, null)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(body.toArray(HttpRequest.BodyPublisher[]::new))));
        return new Answer(response.statusCode(), json(response));
    }

    /** A GET whose body is streamed to the caller, who closes it; an error answer is thrown before. */
    InputStream download(String path) {
        return send(request(path, null).header("Accept", "*/*").GET()).body();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(to.url().resolve(path))
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", USER_AGENT);
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (to.key() != null) {
            b.header("Authorization", "Bearer " + to.key());
        }
        return b;
    }

    /** Sends the request; answers the response when it is a success, throws what went wrong otherwise. */
    private HttpResponse<InputStream> send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, unreachable(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while waiting for " + request.uri());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        if (status >= 300 && status < 400) {
            throw CliException.invalid(request.uri() + " answered " + status + ", a redirect to "
                    + response.headers().firstValue("Location").orElse("nowhere") + ": give the coordinator's own"
                    + " address (" + to.urlSource() + " says " + to.url() + ")");
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        String message = status + " " + problem(body, contentType) + hint(status);
        throw new CliException(status < 500 ? ExitCodes.REFUSED : ExitCodes.UNAVAILABLE, message);
    }

    private JsonNode json(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? LocalFiles.JSON.createObjectNode() : LocalFiles.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the answer from " + to.url() + " broke off: "
                    + LocalFiles.describe(e), e);
        } catch (JacksonException e) {
            throw new CliException(ExitCodes.ERROR, response.request().uri() + " answered "
                    + response.statusCode() + " with a body that is not JSON: is " + to.url()
                    + " a Starling coordinator? (" + to.urlSource() + ")");
        }
    }

    /**
     * "Not found: No job 99." from a problem ({@code title}, {@code detail} and each field error), on one line; a
     * body that is not a problem is shown cut short.
     */
    static String problem(String body, String contentType) {
        JsonNode problem = null;
        if (contentType.contains("json")) {
            try {
                problem = LocalFiles.JSON.readTree(body);
            } catch (JacksonException e) {
                // shown as text below
            }
        }
        if (problem == null || !problem.isObject() || !problem.hasNonNull("detail")) {
            String text = printable(body);
            String kind = contentType.isEmpty() ? "no content type" : contentType.replaceFirst(";.*", "");
            return text.isEmpty() ? "(an empty answer)" : "(" + kind + "): " + text;
        }
        StringBuilder line = new StringBuilder();
        String title = problem.path("title").asString("");
        if (!title.isEmpty()) {
            line.append(title).append(": ");
        }
        String detail = oneLine(problem.path("detail").asString(""));
        line.append(detail);
        for (JsonNode error : problem.path("errors")) {
            String field = error.path("field").asString("") + ": " + error.path("message").asString("");
            if (!detail.contains(field)) {
                line.append(line.charAt(line.length() - 1) == '.' ? " " : "; ").append(oneLine(field));
            }
        }
        return line.toString();
    }

    private String hint(int status) {
        if (status == 401) {
            return to.key() == null ? " (no API key was given: --api-key, $" + Connection.KEY_VARIABLE
                    + " or the config file's api-key)" : " (the key came from " + to.keySource() + ")";
        }
        return "";
    }

    /** Why the call got no answer, and what to check. */
    private String unreachable(IOException e) {
        String at = to.url() + " (from " + to.urlSource() + ")";
        if (causedBy(e, UnresolvedAddressException.class) || causedBy(e, UnknownHostException.class)) {
            return "cannot find the host '" + to.url().getHost() + "' of " + at + ": check the address";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connecting to " + at + " timed out after " + CONNECT_TIMEOUT.toSeconds() + " s: check the host and"
                    + " port, and that no firewall drops the connection";
        }
        if (e instanceof HttpTimeoutException) {
            return at + " did not answer within " + CALL_TIMEOUT.toSeconds() + " s: the coordinator may be overloaded;"
                    + " try again";
        }
        if (causedBy(e, ConnectException.class)) {
            return "cannot connect to " + at + ": connection refused; is the coordinator running there, on that port?";
        }
        if (causedBy(e, SSLException.class)) {
            return "TLS with " + at + " failed (" + e.getMessage() + "): does it serve https on that port, with a"
                    + " certificate this JVM trusts (JAVA_OPTS=-Djavax.net.ssl.trustStore=...)?";
        }
        return "the connection to " + at + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                : printable(e.getMessage())) + "; is it the coordinator's HTTP port, and http or https as it serves?";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** Text another server sent (a gRPC port answers in binary), as at most 120 printable characters. */
    private static String printable(String text) {
        String clean = text.replaceAll("[^\\x20-\\x7e]+", " ").replaceAll(" {2,}", " ").strip();
        return clean.length() > 120 ? clean.substring(0, 120) + "..." : clean;
    }

    private static String quoted(String fileName) {
        return fileName.replaceAll("[\"\\\\\\r\\n]", "_");
    }
}
