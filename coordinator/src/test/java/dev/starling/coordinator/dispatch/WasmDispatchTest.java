package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmCapability;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Deployed apps' tasks over real gRPC: only to hosts that run WebAssembly with enough memory, with their module as a
 * blob the coordinator serves; a job that may lose some work units; revoking drops the tasks hosts hold.
 */
class WasmDispatchTest extends CoordinatorTest {
    static String ownerKey;
    TestApi owner;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.refresh-interval", () -> "100ms");
    }

    @BeforeEach
    void owner() {
        if (ownerKey == null) {
            ownerKey = researcherKey("owner");
            owner = anonymous().withKey(ownerKey);
            deploy("small", 16);
            deploy("big", 48);
        }
        owner = anonymous().withKey(ownerKey);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private void deploy(String name, int memoryMiB) {
        owner.deployCommand(name, memoryMiB);
    }

    private long job(String app, int workUnits, String extra) {
        return owner.submitWorkUnits(app, workUnits, extra);
    }

    private TestHost wasmHost(String name, int memoryMib, String... apps) {
        TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp(name)));
        host.registerWasm(name, memoryMib, apps);
        return host;
    }

    @Test
    void tasksGoOnlyToHostsGivingWebAssemblyEnoughMemory() {
        long small = job("small", 2, ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}");
        long big = job("big", 2, ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}");
        TestHost javaOnly = volunteerHost("java-only", "primes");
        TestHost impostor = volunteerHost("impostor", "small@1.0.0", "big@1.0.0");
        TestHost tight = wasmHost("tight", 32, "primes");

        assertThat(javaOnly.requestWork(10)).isEmpty();
        assertThat(impostor.requestWork(10)).as("deployed versions come only with the WebAssembly capability").isEmpty();
        List<Task> forTight = tight.requestWork(10);
        assertThat(forTight).extracting(Task::getApp).containsOnly("small@1.0.0").hasSize(2);
        assertThat(forTight).extracting(Task::getJobId).containsOnly(small);

        TestHost roomy = wasmHost("roomy", 48); // WebAssembly only, no built-in app
        List<Task> forRoomy = roomy.requestWork(10);
        assertThat(forRoomy).extracting(Task::getApp).containsOnly("big@1.0.0").hasSize(2);
        assertThat(forRoomy).extracting(Task::getJobId).containsOnly(big);
    }

    @Test
    void aTaskCarriesItsWorkUnitAndWhereToFetchItsModule() throws Exception {
        long id = job("small", 1, ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}");
        TestHost host = wasmHost("fetcher", 64);

        Task task = host.requestWork(1).get(0);

        WasmWorkUnit unit = WasmWorkUnit.parseFrom(task.getInput());
        String module = ContentAddress.of(WasmModules.command("small"));
        assertThat(task.getJobId()).isEqualTo(id);
        assertThat(unit.getModule()).isEqualTo(module);
        assertThat(unit.getArgsList()).containsExactly("0");
        BlobSource source = task.getInputsList().get(0);
        assertThat(source.getBlobId()).isEqualTo(module);
        assertThat(source.getCoordinatorHasIt()).isTrue();
        assertThat(source.getToken()).isNotEmpty();
        ReportAck done = host.succeedWasm(task, "done\n");
        assertThat(done.getStatus()).as(done.getMessage()).isEqualTo(ReportAck.Status.ACCEPTED);
        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));
    }

    @Test
    void aJobSucceedsWithUpToMaxFailedWorkUnitsFailedAndListsThem() {
        String redundancy = ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1}";
        long tolerant = job("small", 4, redundancy + ",\"maxFailedWorkUnits\":2");
        TestHost host = wasmHost("failing", 64);
        List<Task> tasks = host.requestWork(4);
        assertThat(tasks).hasSize(4);

        fail(host, tasks.get(1), tasks.get(3)); // two failures in one report batch
        assertThat(owner.job(tolerant).get("state").asString()).isEqualTo("RUNNING");
        host.succeedWasm(tasks.get(0), "zero\n");
        host.succeedWasm(tasks.get(2), "two\n");

        await().until(() -> owner.job(tolerant).get("state").asString().equals("SUCCEEDED"));
        JsonNode view = owner.job(tolerant);
        assertThat(view.get("workUnits").get("failed").asLong()).isEqualTo(2);
        assertThat(view.get("failedWorkUnits")).extracting(f -> f.get("index").asLong()).containsExactly(1L, 3L);
        assertThat(view.get("failedWorkUnits").get(0).get("error").asString()).contains("out of memory 1");
        JsonNode result = owner.get("/api/v1/jobs/" + tolerant + "/result").json();
        assertThat(result.get("outputs").asLong()).isEqualTo(2);
        assertThat(result.get("failedWorkUnits").asLong()).isEqualTo(2);
        assertThat(result.get("outputsUrl").asString()).isEqualTo("/api/v1/jobs/" + tolerant + "/outputs");
    }

    @Test
    void oneFailureMoreThanMaxFailedWorkUnitsFailsTheJob() {
        String redundancy = ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":1}";
        long strict = job("small", 3, redundancy + ",\"maxFailedWorkUnits\":1");
        TestHost host = wasmHost("failing-more", 64);
        List<Task> tasks = host.requestWork(3);

        fail(host, tasks.get(0));
        assertThat(owner.job(strict).get("state").asString()).isEqualTo("RUNNING");
        fail(host, tasks.get(2));

        JsonNode view = owner.job(strict);
        assertThat(view.get("state").asString()).isEqualTo("FAILED");
        assertThat(view.get("error").asString()).contains("work unit 2");
        assertThat(view.get("workUnits").get("cancelled").asLong()).isEqualTo(1);
    }

    @Test
    void revokingAVersionMakesHostsDropItsTasksAtTheirNextHeartbeat() {
        deploy("revoked", 16);
        long id = job("revoked", 2, ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}");
        TestHost host = wasmHost("holder", 64);
        List<Task> tasks = host.requestWork(2);
        assertThat(tasks).hasSize(2);

        api().post("/api/v1/admin/apps/revoked/versions/1.0.0/revoke", "{\"reason\":\"unsafe\"}");

        assertThat(host.heartbeat(tasks.toArray(Task[]::new)).getAbandonResultIdsList())
                .containsExactlyInAnyOrderElementsOf(tasks.stream().map(Task::getResultId).toList());
        assertThat(owner.job(id).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(host.succeedWasm(tasks.get(0), "late\n").getStatus()).isEqualTo(ReportAck.Status.NOT_NEEDED);
    }

    @Test
    void anOutputThatIsNoEnvelopeWithinTheAppsLimitsIsTheReplicasError() {
        long id = job("small", 4, ",\"redundancy\":{\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":3}");
        TestHost host = wasmHost("sloppy", 64);
        List<Task> tasks = host.requestWork(4);

        ReportAck garbage = host.succeedBytes(tasks.get(0), new byte[] {(byte) 0xff, 1, 2, 3});
        ReportAck flood = host.succeedWasm(tasks.get(1), "x".repeat(4097));
        ReportAck unordered = host.succeedWasm(tasks.get(2), "", file("b.txt"), file("a.txt"));
        ReportAck escape = host.succeedWasm(tasks.get(3), "", file("../etc"));

        assertThat(List.of(garbage, flood, unordered, escape)).extracting(ReportAck::getStatus)
                .containsOnly(ReportAck.Status.REJECTED);
        assertThat(garbage.getMessage()).contains("not a WasmOutput envelope");
        assertThat(flood.getMessage()).contains("4097 bytes").contains("maxOutputBytes 4096");
        assertThat(unordered.getMessage()).contains("name order");
        assertThat(escape.getMessage()).contains("'../etc'");
        JsonNode units = owner.get("/api/v1/jobs/" + id + "/workunits").json().get("items");
        assertThat(units.findValuesAsString("state")).contains("ERROR");
        assertThat(owner.job(id).get("workUnits").get("open").asLong()).isEqualTo(4);
    }

    private static WasmOutputFile file(String name) {
        return WasmOutputFile.newBuilder().setName(name).setContent(ByteString.copyFromUtf8(name)).build();
    }

    /**
     * Numeric validation through the whole path: 1.0, 1.4, 1.8 and 1.7 within 0.5. Grouping by the first member
     * (1.0 with 1.4; 1.8 with 1.7) finds no three that agree; the group in which every pair agrees does (1.4, 1.8,
     * 1.7), and 1.0 agrees with its canonical 1.4.
     */
    @Test
    void numericValidationTakesAGroupInWhichEveryPairAgrees() {
        TestApi.Response r = owner.deploy("{\"name\":\"approx\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":16,"
                + "\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"numeric\","
                + "\"absTolerance\":0.5},\"credit\":{\"perWorkUnit\":1}}", WasmModules.command("approx"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        long id = job("approx", 1, ",\"redundancy\":{\"quorum\":3,\"initialReplicas\":4}");
        Map<Task, TestHost> holders = new TreeMap<>(Comparator.comparingLong(Task::getResultId));
        for (int i = 0; i < 4; i++) {
            TestHost host = wasmHost("approx-" + i, 64);
            holders.put(host.requestWork(1).get(0), host);
        }
        List<String> outputs = List.of("value 1.0\n", "value 1.4\n", "value 1.8\n", "value 1.7\n");
        int i = 0;
        for (var e : holders.entrySet()) {
            assertThat(e.getValue().succeedWasm(e.getKey(), outputs.get(i++)).getStatus())
                    .isEqualTo(ReportAck.Status.ACCEPTED);
        }

        await().until(() -> owner.job(id).get("state").asString().equals("SUCCEEDED"));
        JsonNode unit = owner.get("/api/v1/jobs/" + id + "/workunits").json().get("items").get(0);
        long second = holders.keySet().stream().skip(1).findFirst().orElseThrow().getResultId();
        assertThat(unit.get("canonicalResultId").asLong()).isEqualTo(second);
        assertThat(unit.get("results").findValuesAsString("state")).containsOnly("VALID");
    }

    @Test
    void aBadWebAssemblyCapabilityIsRefused() {
        TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp("bad-wasm")));
        for (int mib : new int[] {0, (1 << 20) + 1, -1}) {
            assertThatThrownBy(() -> host.stub(false).register(host.registration("bad-wasm")
                    .setWasm(WasmCapability.newBuilder().setMemoryMib(mib)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("wasm.memory_mib");
                    });
        }
        assertThat(api().get("/api/v1/hosts?size=500").json().get("items").findValuesAsString("name"))
                .doesNotContain("bad-wasm");
        TestHost good = wasmHost("good-wasm", 512);
        assertThat(api().get("/api/v1/hosts/" + good.id()).json().get("wasmMemoryMiB").asInt()).isEqualTo(512);
    }

    private static void fail(TestHost host, Task... tasks) {
        ReportResultsRequest.Builder b = ReportResultsRequest.newBuilder();
        for (Task t : tasks) {
            b.addResults(TaskResult.newBuilder().setResultId(t.getResultId()).setFailure(Failure.newBuilder()
                    .setKind(Failure.Kind.COMPUTE_ERROR).setMessage("out of memory " + t.getIndex())));
        }
        assertThat(host.stub(true).reportResults(b.build()).getAcksList()).extracting(ReportAck::getStatus)
                .containsOnly(ReportAck.Status.ACCEPTED);
    }
}
