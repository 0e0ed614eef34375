package dev.starling.coordinator.blob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.app.TestApps;
import dev.starling.sdk.Apps;
import dev.starling.sdk.ContentAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Uploading and downloading blobs over real HTTP, and jobs naming blobs. */
class BlobApiTest extends CoordinatorTest {
    static final Path BLOBS = Path.of("target", "test-blobs-" + UUID.randomUUID());
    /** the test's limit, so that "too large" needs only a few MiB */
    static final int MAX_SIZE = 3 << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** every request of this class is a researcher's */
    private String key;

    @BeforeEach
    void researcher() {
        key = researcherKey("blob-tests");
    }

    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.blobs.dir", BLOBS::toString);
        registry.add("starling.blobs.max-size", () -> MAX_SIZE + "B");
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class WithBlobApp {
        @Bean
        @Primary
        Apps appsWithBlobApp() {
            return TestApps.with(new BlobLengthApp());
        }
    }

    @Test
    void uploadAnswersCreatedWithTheContentAddressAndSize() {
        byte[] bytes = random(2 * ContentAddress.CHUNK_SIZE + 12345, 1);

        HttpResponse<byte[]> r = upload(bytes, "application/octet-stream");

        assertThat(r.statusCode()).isEqualTo(201);
        String id = ContentAddress.of(bytes);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/blobs/" + id);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("id").asString()).isEqualTo(id);
        assertThat(body.get("size").asLong()).isEqualTo(bytes.length);
        assertThat(jdbc.sql("SELECT length(leaf_hashes) FROM blob WHERE id = ?").param(id).query(Integer.class).single())
                .isEqualTo(3 * 32);
    }

    @Test
    void theSameBytesAgainGiveTheSameIdAndOneCopy() {
        byte[] bytes = random(ContentAddress.CHUNK_SIZE + 1, 2);

        String first = JSON.readTree(upload(bytes, "application/octet-stream").body()).get("id").asString();
        // curl --data-binary sends this content type
        HttpResponse<byte[]> again = upload(bytes, "application/x-www-form-urlencoded");

        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(again.body()).get("id").asString()).isEqualTo(first);
        assertThat(filesNamed(first.substring("sha256:".length()))).hasSize(1);
        assertThat(jdbc.sql("SELECT count(*) FROM blob WHERE id = ?").param(first).query(Long.class).single()).isEqualTo(1);
        assertThat(incoming()).isEmpty();
    }

    @Test
    void anEmptyBodyIsTheEmptyBlob() {
        HttpResponse<byte[]> r = upload(new byte[0], null);

        assertThat(r.statusCode()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("id").asString();
        assertThat(id).isEqualTo(ContentAddress.of(new byte[0]));
        HttpResponse<byte[]> download = get("/api/v1/blobs/" + id, null);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEmpty();
    }

    @Test
    void downloadGivesTheBytesAndHeadTheSize() {
        byte[] bytes = random(ContentAddress.CHUNK_SIZE + 77, 3);
        String id = ContentAddress.of(bytes);
        upload(bytes, "application/octet-stream");

        HttpResponse<byte[]> r = get("/api/v1/blobs/" + id, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(r.headers().firstValue("ETag")).hasValue("\"" + id + "\"");
        assertThat(r.body()).isEqualTo(bytes);

        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(uri("/api/v1/blobs/" + id))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(bytes.length);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void rangesAreServedAsSpringDoes() {
        byte[] bytes = random(ContentAddress.CHUNK_SIZE * 2, 4);
        String path = "/api/v1/blobs/" + ContentAddress.of(bytes);
        upload(bytes, "application/octet-stream");

        HttpResponse<byte[]> one = get(path, "bytes=1048570-1048585");
        assertThat(one.statusCode()).isEqualTo(206);
        assertThat(one.headers().firstValue("Content-Range")).hasValue("bytes 1048570-1048585/" + bytes.length);
        assertThat(one.body()).isEqualTo(Arrays.copyOfRange(bytes, 1048570, 1048586));

        HttpResponse<byte[]> suffix = get(path, "bytes=-5");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 5, bytes.length));

        HttpResponse<byte[]> two = get(path, "bytes=0-1,10-11");
        assertThat(two.statusCode()).isEqualTo(206);
        assertThat(two.headers().firstValue("Content-Type").orElseThrow()).startsWith("multipart/byteranges");

        HttpResponse<byte[]> beyond = get(path, "bytes=" + bytes.length + "-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + bytes.length);
    }

    @Test
    void unknownAndMalformedIdsAreProblems() {
        TestApi.Response unknown = api().get("/api/v1/blobs/sha256:" + "ab".repeat(32));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().get("detail").asString()).contains("sha256:abab");

        TestApi.Response malformed = api().get("/api/v1/blobs/sha256:XYZ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.json().get("errors").findValuesAsString("field")).contains("id");
    }

    @Test
    void aBlobOfExactlyTheLimitIsAccepted() {
        assertThat(upload(random(MAX_SIZE, 5), "application/octet-stream").statusCode()).isEqualTo(201);
    }

    @Test
    void aBodyGrowingPastTheLimitIsRefusedAndLeavesNothing() {
        byte[] bytes = random(MAX_SIZE + 1, 6);
        long before = blobCount();

        // no Content-Length: the body is sent chunked and counted as it arrives
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri("/api/v1/blobs"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("starling.blobs.max-size");
        assertThat(blobCount()).isEqualTo(before);
        assertThat(incoming()).isEmpty();
        assertThat(filesNamed(ContentAddress.of(bytes).substring("sha256:".length()))).isEmpty();
    }

    @Test
    void aDeclaredLengthPastTheLimitIsRefusedBeforeTheBodyIsRead() throws IOException {
        long before = blobCount();
        String response;
        try (Socket socket = new Socket("localhost", httpPort)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/blobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Authorization: Bearer " + key + "\r\n"
                    + "Content-Length: " + (10L << 30) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush(); // and not one byte of the body
            response = readResponse(socket.getInputStream());
        }

        assertThat(response).startsWith("HTTP/1.1 413");
        assertThat(response).contains("application/problem+json").contains("10737418240 bytes");
        assertThat(blobCount()).isEqualTo(before);
        assertThat(incoming()).isEmpty();
    }

    @Test
    void multipartFormsAreRefused() {
        TestApi.Response r = api().postRaw("/api/v1/blobs", "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhello\r\n--x--\r\n");

        assertThat(r.status()).isEqualTo(415);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("--data-binary");
    }

    @Test
    void aJobNamingAnUnknownBlobIsRefusedAndNothingIsStored() {
        long before = api().get("/api/v1/jobs").json().get("total").asLong();
        String unknown = "sha256:" + "cd".repeat(32);

        TestApi.Response r = api().post("/api/v1/jobs",
                "{\"app\":\"" + BlobLengthApp.NAME + "\",\"params\":{\"data\":\"" + unknown + "\"}}");

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("params.data");
        assertThat(error.get("message").asString()).contains(unknown).contains("POST /api/v1/blobs");
        assertThat(api().get("/api/v1/jobs").json().get("total").asLong()).isEqualTo(before);
    }

    @Test
    void aJobNamingAStoredBlobIsAccepted() {
        byte[] bytes = random(1000, 7);
        String id = JSON.readTree(upload(bytes, "application/octet-stream").body()).get("id").asString();

        long job = api().submit("{\"app\":\"" + BlobLengthApp.NAME + "\",\"params\":{\"data\":\"" + id + "\"}}");

        assertThat(api().job(job).get("params").get("data").asString()).isEqualTo(id);
    }

    /** Status line, headers and a chunked or sized body of an HTTP/1.1 response, without waiting for the socket to close. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        long length = -1;
        boolean chunked = false;
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            text.append(line).append('\n');
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        text.append('\n');
        if (chunked) {
            for (int size; (size = Integer.parseInt(readLine(in).trim(), 16)) > 0; readLine(in)) {
                text.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
            }
        } else if (length > 0) {
            text.append(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private HttpResponse<byte[]> upload(byte[] bytes, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/blobs")).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    private HttpResponse<byte[]> get(String path, String range) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (range != null) {
            b.header("Range", range);
        }
        return send(b.build());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + httpPort + path);
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            HttpRequest withKey = HttpRequest.newBuilder(request, (name, value) -> true)
                    .header("Authorization", "Bearer " + key).build();
            return http.send(withKey, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private long blobCount() {
        return jdbc.sql("SELECT count(*) FROM blob").query(Long.class).single();
    }

    private static List<Path> filesNamed(String name) {
        if (!Files.exists(BLOBS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(BLOBS)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> incoming() {
        Path incoming = BLOBS.resolve(FileBlobStore.INCOMING);
        if (!Files.exists(incoming)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(incoming)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
