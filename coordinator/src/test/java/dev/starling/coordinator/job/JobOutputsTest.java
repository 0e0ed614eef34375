package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/jobs/{id}/outputs} over real HTTP, with outputs reported by hosts over real gRPC: canonical
 * standard outputs in work unit order, raw or as ND-JSON lines, partial ones on request, files kept as blobs.
 */
class JobOutputsTest extends CoordinatorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static String ownerKey;
    TestApi owner;
    /** the host holding the tasks of the test's job */
    TestHost host;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.refresh-interval", () -> "100ms");
    }

    @BeforeEach
    void owner() {
        if (ownerKey == null) {
            ownerKey = researcherKey("outputs-owner");
            owner = anonymous().withKey(ownerKey);
            TestApi.Response r = owner.deploy("{\"name\":\"echo\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":16,"
                    + "\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                    + "\"credit\":{\"perWorkUnit\":1}}", WasmModules.command("echo"));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        owner = anonymous().withKey(ownerKey);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** A job of {@code workUnits} work units of quorum 1, split; its tasks, in index order, held by {@link #host}. */
    private List<Task> job(int workUnits, String extra, String host) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < workUnits; i++) {
            list.append(i == 0 ? "" : ",").append("{\"args\":[\"").append(i).append("\"]}");
        }
        long id = owner.submit("{\"app\":\"echo\",\"params\":{\"workUnits\":[" + list + "]},\"redundancy\":{"
                + "\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1}" + extra + "}");
        await().until(() -> owner.job(id).get("workUnits").get("unsplit").asLong() == 0);
        TestHost holder = closedAfterTest(new TestHost(grpcPort(), signUp(host)));
        holder.registerWasm(host, 64);
        List<Task> tasks = holder.requestWork(workUnits).stream().sorted(Comparator.comparingLong(Task::getIndex))
                .toList();
        assertThat(tasks).hasSize(workUnits);
        this.host = holder;
        return tasks;
    }

    private void succeed(Task task, String stdout, WasmOutputFile... files) {
        ReportAck ack = host.succeedWasm(task, stdout, files);
        assertThat(ack.getStatus()).as(ack.getMessage()).isEqualTo(ReportAck.Status.ACCEPTED);
    }

    private HttpResponse<byte[]> get(TestApi as, String path, String accept) {
        try {
            return HttpClient.newHttpClient().send(as.request(path).header("Accept", accept).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static List<JsonNode> lines(HttpResponse<byte[]> r) {
        return text(r).lines().map(JSON::readTree).toList();
    }

    @Test
    void theCanonicalStdoutsInWorkUnitOrderOnceTheJobHasSucceededAndThoseValidatedSoFarOnRequest() {
        List<Task> tasks = job(3, "", "outputs-in-order");
        long id = tasks.get(0).getJobId();
        String outputs = "/api/v1/jobs/" + id + "/outputs";
        succeed(tasks.get(2), "two\n");
        succeed(tasks.get(0), "zero\n");

        HttpResponse<byte[]> early = get(owner, outputs, "application/octet-stream");
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(early.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(text(early)).contains("RUNNING").contains("partial=true");
        HttpResponse<byte[]> partial = get(owner, outputs + "?partial=true", "*/*");
        assertThat(partial.statusCode()).isEqualTo(200);
        assertThat(text(partial)).isEqualTo("zero\ntwo\n");
        assertThat(lines(get(owner, outputs + "?partial=true&format=ndjson", "*/*")))
                .extracting(l -> l.get("index").asLong()).containsExactly(0L, 2L);

        succeed(tasks.get(1), "one\n");
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));

        HttpResponse<byte[]> all = get(owner, outputs, "application/octet-stream");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(text(all)).isEqualTo("zero\none\ntwo\n");
        assertThat(text(get(api(), outputs, "*/*"))).as("the admin reads every job's").isEqualTo("zero\none\ntwo\n");
        JsonNode result = owner.get("/api/v1/jobs/" + id + "/result").json();
        assertThat(result.get("outputs").asLong()).isEqualTo(3);
        assertThat(result.get("outputsUrl").asString()).isEqualTo(outputs);
    }

    @Test
    void ndjsonGivesTextOrBase64AndTheFilesAsBlobsTheOwnerMayRead() {
        List<Task> tasks = job(2, "", "outputs-ndjson");
        long id = tasks.get(0).getJobId();
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, '\n'};
        byte[] table = "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8);
        succeed(tasks.get(0), "héllo\n", WasmOutputFile.newBuilder().setName("table.csv")
                .setContent(ByteString.copyFrom(table)).build());
        ReportAck ack = host.succeedBytes(tasks.get(1), WasmOutput.newBuilder().setStdout(ByteString.copyFrom(binary))
                .build().toByteArray());
        assertThat(ack.getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));

        HttpResponse<byte[]> r = get(owner, "/api/v1/jobs/" + id + "/outputs?format=ndjson", "*/*");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        List<JsonNode> lines = lines(r);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("index").asLong()).isZero();
        assertThat(lines.get(0).get("output").asString()).isEqualTo("héllo\n");
        String blob = lines.get(0).get("files").get("table.csv").asString();
        assertThat(blob).isEqualTo(ContentAddress.of(table));
        assertThat(lines.get(1).has("output")).isFalse();
        assertThat(Base64.getDecoder().decode(lines.get(1).get("outputBase64").asString())).isEqualTo(binary);
        assertThat(lines.get(1).get("files").isEmpty()).isTrue();
        HttpResponse<byte[]> raw = get(owner, "/api/v1/jobs/" + id + "/outputs", "*/*");
        assertThat(raw.body()).startsWith("héllo\n".getBytes(StandardCharsets.UTF_8)).endsWith(binary);

        HttpResponse<byte[]> file = get(owner, "/api/v1/blobs/" + blob, "*/*");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(table);
        TestApi stranger = researcher("outputs-stranger");
        assertThat(get(stranger, "/api/v1/blobs/" + blob, "*/*").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> theirs = get(stranger, "/api/v1/jobs/" + id + "/outputs", "*/*");
        assertThat(theirs.statusCode()).as("another's job is not found, as /result").isEqualTo(404);
        assertThat(theirs.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void failedWorkUnitsWithinMaxFailedAreErrorLinesAndLeftOutOfTheRawOutputs() {
        List<Task> tasks = job(3, ",\"maxFailedWorkUnits\":1", "outputs-failed");
        long id = tasks.get(0).getJobId();
        succeed(tasks.get(0), "zero\n");
        assertThat(host.fail(tasks.get(1), Failure.Kind.COMPUTE_ERROR, "trap: unreachable").getStatus())
                .isEqualTo(ReportAck.Status.ACCEPTED);
        succeed(tasks.get(2), "two\n");
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));

        assertThat(text(get(owner, "/api/v1/jobs/" + id + "/outputs", "*/*"))).isEqualTo("zero\ntwo\n");
        List<JsonNode> lines = lines(get(owner, "/api/v1/jobs/" + id + "/outputs?format=ndjson", "*/*"));
        assertThat(lines).extracting(l -> l.get("index").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(lines.get(1).get("error").asString()).contains("trap: unreachable");
        assertThat(lines.get(1).has("output")).isFalse();
        JsonNode view = owner.job(id);
        assertThat(view.get("failedWorkUnits").get(0).get("index").asLong()).isEqualTo(1);
        assertThat(owner.get("/api/v1/jobs/" + id + "/result").json().get("failedWorkUnits").asLong()).isEqualTo(1);
    }

    @Test
    void badRequestsAreProblemsNamingWhatIsWrong() {
        List<Task> tasks = job(1, "", "outputs-bad");
        long id = tasks.get(0).getJobId();
        String outputs = "/api/v1/jobs/" + id + "/outputs";

        HttpResponse<byte[]> format = get(owner, outputs + "?partial=true&format=xml", "*/*");
        assertThat(format.statusCode()).isEqualTo(400);
        assertThat(text(format)).contains("format").contains("ndjson");
        HttpResponse<byte[]> partial = get(owner, outputs + "?partial=maybe", "*/*");
        assertThat(partial.statusCode()).isEqualTo(400);
        assertThat(text(partial)).contains("partial");
        assertThat(get(owner, "/api/v1/jobs/987654321/outputs", "*/*").statusCode()).isEqualTo(404);
        assertThat(get(owner, "/api/v1/jobs/x/outputs", "*/*").statusCode()).isEqualTo(400);
        assertThat(get(anonymous(), outputs, "*/*").statusCode()).isEqualTo(401);

        long builtIn = owner.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000}}");
        HttpResponse<byte[]> java = get(owner, "/api/v1/jobs/" + builtIn + "/outputs?partial=true", "*/*");
        assertThat(java.statusCode()).isEqualTo(404);
        assertThat(java.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(text(java)).contains("built-in").contains("/result");
    }
}
