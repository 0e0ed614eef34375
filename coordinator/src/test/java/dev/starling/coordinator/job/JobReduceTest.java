package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmWorkUnit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A deployed app's job with a reduce step, on real PostgreSQL with a host over real gRPC that plays the worker: it
 * sums the integers of each reduce task's input as the reduce app would. Three outputs at most go to one reduce work
 * unit alone here, and a tree's fan-in is 2.
 */
class JobReduceTest extends CoordinatorTest {
    static String ownerKey;
    TestApi owner;
    TestHost host;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.refresh-interval", () -> "100ms");
        registry.add("starling.reduce.max-inputs", () -> "3");
        registry.add("starling.reduce.fan-in", () -> "2");
    }

    private static String manifest(String name) {
        return "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":16,\"maxCpuSeconds\":60,"
                + "\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},\"credit\":{\"perWorkUnit\":1}}";
    }

    @BeforeEach
    void owner() {
        if (ownerKey == null) {
            ownerKey = researcherKey("reduce-owner");
            owner = anonymous().withKey(ownerKey);
            for (String name : List.of("mapper", "summer")) {
                TestApi.Response r = owner.deploy(manifest(name), WasmModules.command(name));
                assertThat(r.status()).as(r.body()).isEqualTo(201);
            }
        }
        owner = anonymous().withKey(ownerKey);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private long submit(int workUnits, String reduce) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < workUnits; i++) {
            list.append(i == 0 ? "" : ",").append("{\"args\":[\"").append(i).append("\"]}");
        }
        return owner.submit("{\"app\":\"mapper@1.0.0\",\"params\":{\"workUnits\":[" + list + "]},\"redundancy\":{"
                + "\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1},\"reduce\":" + reduce + "}");
    }

    private List<Task> tasks(int expected) {
        List<Task> tasks = new ArrayList<>();
        await().until(() -> {
            tasks.addAll(host.requestWork(expected - tasks.size()));
            return tasks.size() >= expected;
        });
        assertThat(tasks).hasSize(expected);
        return tasks.stream().sorted(Comparator.comparingLong(Task::getIndex)).toList();
    }

    private void succeed(Task task, String stdout) {
        ReportAck ack = host.succeedWasm(task, stdout);
        assertThat(ack.getStatus()).as(ack.getMessage()).isEqualTo(ReportAck.Status.ACCEPTED);
    }

    /** What a reduce task reads: its input file, as the owner downloads it (empty without one). */
    private String input(Task task) throws Exception {
        WasmWorkUnit unit = WasmWorkUnit.parseFrom(task.getInput());
        if (unit.getFilesCount() == 0) {
            assertThat(unit.getStdinFile()).isEmpty();
            return "";
        }
        assertThat(unit.getFiles(0).getName()).isEqualTo("outputs");
        assertThat(unit.getStdinFile()).as("the outputs are its standard input too").isEqualTo("outputs");
        assertThat(task.getInputsList()).extracting(BlobSource::getBlobId).contains(unit.getFiles(0).getBlobId());
        TestApi.Response blob = owner.get("/api/v1/blobs/" + unit.getFiles(0).getBlobId());
        assertThat(blob.status()).isEqualTo(200);
        return blob.body();
    }

    /** Reports each reduce task's sum of its input's integers; returns the inputs, in index order. */
    private List<String> reduceLevel(int workUnits) throws Exception {
        List<String> inputs = new ArrayList<>();
        for (Task task : tasks(workUnits)) {
            assertThat(task.getApp()).isEqualTo("summer@1.0.0");
            assertThat(WasmWorkUnit.parseFrom(task.getInput()).getArgsList()).containsExactly("--sum");
            String input = input(task);
            inputs.add(input);
            long sum = input.lines().mapToLong(Long::parseLong).sum();
            succeed(task, sum + "\n");
        }
        return inputs;
    }

    private void host(String name) {
        host = closedAfterTest(new TestHost(grpcPort(), signUp(name)));
        host.registerWasm(name, 64);
    }

    @Test
    void aTreeOfLevelsEachFromTheOneBelowInOrderEndsInTheResultOutput() throws Exception {
        long id = submit(7, "{\"app\":\"summer@1.0.0\",\"args\":[\"--sum\"]}");
        JsonNode view = owner.job(id);
        assertThat(view.get("reduce").get("app").asString()).isEqualTo("summer@1.0.0");
        assertThat(view.get("reduce").get("fanIn").asInt()).isEqualTo(2);
        assertThat(view.get("reduce").get("maxInputs").asLong()).isEqualTo(3);
        host("reduce-tree");
        for (Task task : tasks(7)) {
            assertThat(task.getApp()).isEqualTo("mapper@1.0.0");
            succeed(task, (task.getIndex() + 1) + "\n");
        }
        assertThat(owner.get("/api/v1/jobs/" + id + "/result/output").status()).as("not yet").isEqualTo(409);

        // 7 outputs, more than 3: pairs (fan-in 2) in index order, then pairs of those, then 2 left: one over both
        assertThat(reduceLevel(4)).containsExactly("1\n2\n", "3\n4\n", "5\n6\n", "7\n");
        assertThat(reduceLevel(2)).containsExactly("3\n7\n", "11\n7\n");
        assertThat(reduceLevel(1)).containsExactly("10\n18\n");
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));

        JsonNode job = owner.job(id);
        assertThat(job.get("stage").asInt()).as("the map stage and three levels").isEqualTo(3);
        JsonNode result = owner.get("/api/v1/jobs/" + id + "/result").json();
        assertThat(result.get("outputs").asLong()).as("the app's outputs, as without reduce").isEqualTo(7);
        JsonNode reduced = result.get("reduce");
        assertThat(reduced.get("app").asString()).isEqualTo("summer@1.0.0");
        assertThat(reduced.get("levels").asInt()).isEqualTo(3);
        assertThat(reduced.get("size").asLong()).isEqualTo(3);
        assertThat(reduced.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("28\n".getBytes(StandardCharsets.UTF_8))));
        assertThat(reduced.get("encoding").asString()).isEqualTo("utf-8");
        assertThat(reduced.get("outputUrl").asString()).isEqualTo("/api/v1/jobs/" + id + "/result/output");
        TestApi.Response output = owner.get("/api/v1/jobs/" + id + "/result/output");
        assertThat(output.status()).isEqualTo(200);
        assertThat(output.contentType()).startsWith("application/octet-stream");
        assertThat(output.body()).isEqualTo("28\n");
        assertThat(owner.get("/api/v1/jobs/" + id + "/outputs").body()).as("the app's outputs, not the levels'")
                .isEqualTo("1\n2\n3\n4\n5\n6\n7\n");
        assertThat(jdbc.sql("SELECT count(*) FROM work_unit WHERE job_id = :id").param("id", id).query(Long.class)
                .single()).isEqualTo(7 + 4 + 2 + 1);
    }

    @Test
    void fewOutputsAreReducedByOneWorkUnitAndALevelWrittenAgainAfterACrashMakesNothingTwice() throws Exception {
        long id = submit(3, "{\"app\":\"summer\",\"args\":[\"--sum\"]}");
        assertThat(owner.job(id).get("reduce").get("app").asString()).as("pinned").isEqualTo("summer@1.0.0");
        host("reduce-few");
        for (Task task : tasks(3)) {
            succeed(task, task.getIndex() == 1 ? "" : "20\n");
        }
        await().until(() -> owner.job(id).get("stage").asInt() == 1
                && owner.job(id).get("workUnits").get("unsplit").asLong() == 0);
        // a splitter that died after writing the level, before recording it: the level is written again
        jdbc.sql("UPDATE job SET split_next = 0, split_complete = false WHERE id = :id").param("id", id).update();
        await().until(() -> jdbc.sql("SELECT split_complete FROM job WHERE id = :id").param("id", id)
                .query(Boolean.class).single());
        assertThat(jdbc.sql("SELECT count(*) FROM result WHERE job_id = :id").param("id", id).query(Long.class)
                .single()).as("3 map replicas and one reduce replica, not two").isEqualTo(4);

        assertThat(reduceLevel(1)).containsExactly("20\n20\n");
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));
        assertThat(owner.get("/api/v1/jobs/" + id + "/result").json().get("reduce").get("levels").asInt())
                .isEqualTo(1);
        assertThat(owner.get("/api/v1/jobs/" + id + "/result/output").body()).isEqualTo("40\n");
    }

    @Test
    void aFailedReduceWorkUnitFailsTheJobWhateverItsMaxFailedWorkUnits() throws Exception {
        long id = owner.submit("{\"app\":\"mapper@1.0.0\",\"params\":{\"workUnits\":[{},{}]},\"redundancy\":{"
                + "\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1},\"maxFailedWorkUnits\":1,"
                + "\"reduce\":{\"app\":\"summer@1.0.0\"}}");
        host("reduce-fails");
        List<Task> map = tasks(2);
        succeed(map.get(0), "1\n");
        host.fail(map.get(1), Failure.Kind.COMPUTE_ERROR, "a map work unit may fail");
        Task reduce = tasks(1).get(0);
        assertThat(WasmWorkUnit.parseFrom(reduce.getInput()).getArgsList()).isEmpty();
        assertThat(input(reduce)).isEqualTo("1\n");
        host.fail(reduce, Failure.Kind.COMPUTE_ERROR, "sum: the input holds something else");
        await().until(() -> owner.job(id).get("state").asString().equals("FAILED"));
        assertThat(owner.job(id).get("error").asString()).contains("(stage 1) failed", "something else");
        assertThat(owner.get("/api/v1/jobs/" + id + "/result/output").status()).isEqualTo(409);
    }

    @Test
    void aReduceStepMustBeADeployedVersionTheCallerMayRunAndChangesNothingOtherwise() {
        long before = jdbc.sql("SELECT count(*) FROM job").query(Long.class).single();
        TestApi other = researcher("reduce-stranger");
        TestApi.Response r = other.deploy(manifest("strangers"), WasmModules.command("strangers"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        TestApi.Response revoked = owner.deploy(manifest("withdrawn"), WasmModules.command("withdrawn"));
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(201);
        api().post("/api/v1/admin/apps/withdrawn/versions/1.0.0/revoke", "{\"reason\":\"test\"}");

        String job = "{\"app\":\"mapper@1.0.0\",\"params\":{\"workUnits\":[{}]},\"reduce\":";
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"nothing@1.0.0\"}}"), 400, "reduce.app");
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"summer@9.9.9\"}}"), 400, "reduce.app");
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"strangers@1.0.0\"}}"), 400, "reduce.app");
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"withdrawn@1.0.0\"}}"), 409, "revoked");
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"primes\"}}"), 400, "must be a deployed app");
        assertProblem(owner.post("/api/v1/jobs", job + "{}}"), 400, "reduce.app");
        assertProblem(owner.post("/api/v1/jobs", job + "{\"app\":\"summer@1.0.0\",\"args\":[\"a\\u0000b\"]}}"), 400,
                "reduce.args[0]");
        assertProblem(owner.post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":10},"
                + "\"reduce\":{\"app\":\"summer@1.0.0\"}}"), 400, "for deployed apps");
        assertThat(jdbc.sql("SELECT count(*) FROM job").query(Long.class).single()).isEqualTo(before);

        long plain = owner.submit("{\"app\":\"mapper@1.0.0\",\"params\":{\"workUnits\":[{}]}}");
        assertProblem(owner.get("/api/v1/jobs/" + plain + "/result/output"), 404, "no reduce step");
        assertThat(owner.job(plain).has("reduce")).isFalse();
    }

    private static void assertProblem(TestApi.Response r, int status, String text) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body()).contains(text);
    }
}
