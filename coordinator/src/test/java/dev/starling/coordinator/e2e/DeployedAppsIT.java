package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.starling.coordinator.e2e.EndToEndIT.awaitFinal;
import static dev.starling.coordinator.e2e.EndToEndIT.name;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;

/**
 * Deployed (WebAssembly) apps with real processes: a coordinator on its embedded PostgreSQL, worker processes running
 * modules built from C (task-sdk/wasm-samples, task-sdk/wasm/src/test/c) in their sandboxes. Each worker has one core
 * and its default --wasm-memory, which its 256 MiB heap keeps at 42 MiB: room for one task of these 32 MiB apps.
 */
class DeployedAppsIT {
    /** primes below 2 * 10^7, as the built-in Java app counts them (EndToEndIT) */
    private static final long PI_2E7 = 1_270_607L;
    /** the probe's steps in a work unit that computes for some seconds */
    private static final long COUNT = 400_000;

    static void deploy(TestApi api, String name, byte[] module) {
        TestApi.Response r = api.deploy("{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":32,"
                + "\"maxCpuSeconds\":600,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                + "\"credit\":{\"perWorkUnit\":1.0}}", module);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void primesInCGiveTheJavaAppsCountsFromASweepAListAndABlobOfLines(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            // leases long enough that a loaded machine times out no task: the list's failing work unit must fail
            // by its two errors, each with the module's message, and not by a time-out
            p.coordinator("--starling.dispatch.lease=30s");
            p.worker("w1");
            p.worker("w2");
            TestApi api = p.api();
            deploy(api, "primes-c", WasmModules.c("primes"));

            long sweep = api.submit("{\"app\":\"primes-c\",\"params\":{\"sweep\":{\"from\":0,\"to\":20000000,"
                    + "\"step\":500000,\"args\":[\"{from}\",\"{to}\"]}}}");
            long list = api.submit("{\"app\":\"primes-c\",\"params\":{\"workUnits\":[{\"args\":[\"0\",\"100\"]},"
                    + "{\"args\":[\"5\",\"1\"]},{\"args\":[\"100\",\"1000\"]}]},\"maxFailedWorkUnits\":1,"
                    // two hosts give a work unit two replicas at most: it fails at its second error (or time-out)
                    + "\"redundancy\":{\"quorum\":2,\"maxErrors\":2}}");
            String lines = api.upload("{\"args\":[\"0\",\"1000000\"]}\n{\"args\":[\"1000000\",\"2000000\"]}\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long blob = api.submit("{\"app\":\"primes-c\",\"params\":{\"workUnitsBlob\":\"" + lines + "\"}}");

            assertThat(awaitFinal(api, sweep).get("state").asString()).isEqualTo("SUCCEEDED");
            List<JsonNode> outputs = ndjson(api, sweep);
            assertThat(outputs).hasSize(40);
            assertThat(outputs.stream().mapToLong(l -> Long.parseLong(l.get("output").asString())).sum())
                    .isEqualTo(PI_2E7);
            assertThat(api.get("/api/v1/jobs/" + sweep + "/outputs").body()).as("raw: the outputs end to end")
                    .isEqualTo(String.join("", outputs.stream().map(l -> l.get("output").asString()).toList()));

            JsonNode listed = awaitFinal(api, list);
            assertThat(listed.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + list + "/outputs").body()).isEqualTo("25143");
            assertThat(listed.get("failedWorkUnits").get(0).get("index").asLong()).isEqualTo(1);
            assertThat(ndjson(api, list).get(1).get("error").asString()).contains("exited with code 2",
                    "need 0 <= FROM < TO", "got 5 1");

            assertThat(awaitFinal(api, blob).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + blob + "/outputs").body()).isEqualTo("78498" + "70435");
        }
    }

    @Test
    void aSignedAppRunsOnAWorkerGivenTheProjectsKey(TestInfo info) throws Exception {
        KeyPair project = SigningKeys.generate();
        String publicKey = SigningKeys.publicKeyText(project.getPublic().getEncoded());
        byte[] module = WasmModules.c("primes");
        try (Processes p = new Processes(name(info))) {
            p.coordinator("--starling.apps.signing.public-keys=" + publicKey);
            p.worker("w1", "--app-key", publicKey);
            TestApi api = p.api();
            SignedFields fields = new SignedFields("primes-signed", "1.0.0", ContentAddress.of(module), 32, 600, 4096,
                    64L << 20, true, "bitwise", 0, 0, 1.0);
            String signature = "{\"format\":\"starling-app-signature-v1\",\"signature\":\""
                    + Base64.getEncoder().encodeToString(SigningKeys.sign(project.getPrivate(), fields.payload()))
                    + "\"}";
            String manifest = "{\"name\":\"primes-signed\",\"version\":\"1.0.0\",\"limits\":{\"memoryMiB\":32,"
                    + "\"maxCpuSeconds\":600,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                    + "\"credit\":{\"perWorkUnit\":1.0}}";
            TestApi.Response deployed = api.postMultipart("/api/v1/apps",
                    new TestApi.Part("manifest", "application/json", manifest.getBytes(StandardCharsets.UTF_8)),
                    new TestApi.Part("module", "application/wasm", module),
                    new TestApi.Part("signature", "application/json", signature.getBytes(StandardCharsets.UTF_8)));
            assertThat(deployed.status()).as(deployed.body()).isEqualTo(201);

            long job = api.submit("{\"app\":\"primes-signed\",\"params\":{\"workUnits\":[{\"args\":[\"0\","
                    + "\"100\"]}]},\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/outputs").body()).isEqualTo("25");
        }
    }

    @Test
    void partialOutputsThenARevokeThatWorkersDropAndAKilledWorkersTaskRedoneElsewhere(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator();
            Map<String, Process> workers = new HashMap<>();
            // four workers of one core for the first job's four replicas: the queue's order is random, so two of them
            // get the counting work unit's replicas and the other two the quick one's, whichever comes first
            for (String name : List.of("w1", "w2", "w3", "w4")) {
                workers.put(name, p.worker(name));
            }
            TestApi api = p.api();
            deploy(api, "probe", WasmModules.c("probe"));

            // one quick work unit and one that would count for hours: two workers' one core is taken by it
            long endless = api.submit("{\"app\":\"probe\",\"params\":{\"workUnits\":[{\"args\":[\"args\",\"x\"]},"
                    + "{\"args\":[\"count\",\"2000000000\"]}]},\"redundancy\":{\"quorum\":2}}");
            String outputs = "/api/v1/jobs/" + endless + "/outputs";
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.get(outputs + "?partial=true").body().startsWith("[app][args][x]"));
            assertThat(api.get(outputs).status()).as("before the job ends, only on request").isEqualTo(409);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                    .until(() -> resultStates(api, endless).getOrDefault("IN_PROGRESS", 0) == 2);

            api.post("/api/v1/admin/apps/probe/versions/1.0.0/revoke", "{\"reason\":\"end to end\"}");

            assertThat(api.job(endless).get("state").asString()).isEqualTo("CANCELLED");
            // the workers drop the counting tasks at their next heartbeat; this job's task is redone by another worker
            // once the one running it is killed
            deploy(api, "probe2", WasmModules.c("probe"));
            // COUNT steps, some seconds: 5,000 ended within 0.1 s on CI, before the kill came
            long killed = api.submit("{\"app\":\"probe2\",\"params\":{\"workUnits\":[{\"args\":[\"count\","
                    + "\"" + COUNT + "\"]}]},\"redundancy\":{\"quorum\":1}}");
            long[] victim = new long[1];
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (JsonNode r : results(api, killed)) {
                    if (r.get("state").asString().equals("IN_PROGRESS") && r.has("hostId")) {
                        victim[0] = r.get("hostId").asLong();
                        return true;
                    }
                }
                return false;
            });
            Processes.kill(workers.get(EndToEndIT.host(api, victim[0]).get("name").asString()));

            JsonNode done = awaitFinal(api, killed);
            assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + killed + "/outputs").body())
                    .isEqualTo("started at 0, counted to " + COUNT + "\n");
            assertThat(results(api, killed)).anySatisfy(r -> {
                assertThat(r.path("hostId").asLong()).isEqualTo(victim[0]);
                assertThat(r.get("state").asString()).isEqualTo("TIMED_OUT");
            }).anySatisfy(r -> {
                assertThat(r.path("hostId").asLong()).isNotEqualTo(victim[0]);
                assertThat(r.get("state").asString()).isEqualTo("VALID");
            });
        }
    }

    @Test
    void aReduceStepInCSumsTheOutputsThroughATreeOfLevelsAcrossACoordinatorKill(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            // two outputs at most go to one reduce work unit alone, a tree's fan-in is two; leases long enough that
            // no task times out while the coordinator is down (a host whose replica timed out gets no other replica of
            // its work unit), and three workers so that a quorum of two can be met whatever happens
            String[] settings = {"--starling.dispatch.lease=3m", "--starling.reduce.max-inputs=2",
                "--starling.reduce.fan-in=2"};
            Process coordinator = p.coordinator(settings);
            p.worker("w1");
            p.worker("w2");
            p.worker("w3");
            TestApi api = p.api();
            deploy(api, "squares", WasmModules.c("squares"));
            deploy(api, "sum", WasmModules.c("sum"));

            // seven work units, each the sum of i*i for i < N: a tree of 4, 2 and 1 reduce work units over stdin
            StringBuilder list = new StringBuilder();
            long expected = 0;
            for (long n = 1000; n <= 7000; n += 1000) {
                list.append(n == 1000 ? "" : ",").append("{\"args\":[\"").append(n).append("\"]}");
                expected += (n - 1) * n * (2 * n - 1) / 6;
            }
            long tree = api.submit("{\"app\":\"squares@1.0.0\",\"params\":{\"workUnits\":[" + list + "]},"
                    + "\"reduce\":{\"app\":\"sum@1.0.0\"}}");
            // two work units: one reduce work unit, which reads /input/outputs
            long few = api.submit("{\"app\":\"squares@1.0.0\",\"params\":{\"workUnits\":[{\"args\":[\"10\"]},"
                    + "{\"args\":[\"20\"]}]},\"reduce\":{\"app\":\"sum@1.0.0\",\"args\":[\"--file\"]}}");

            // killed once the tree's first level is under way: the restarted coordinator goes on from its database
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> api.job(tree).get("stage").asInt() >= 1);
            Processes.kill(coordinator);
            p.coordinator(settings);

            JsonNode done = awaitFinal(api, tree);
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.get("stage").asInt()).as("the squares and three levels").isEqualTo(3);
            JsonNode reduced = api.get("/api/v1/jobs/" + tree + "/result").json().get("reduce");
            String sum = expected + "\n";
            assertThat(reduced.get("levels").asInt()).isEqualTo(3);
            assertThat(reduced.get("size").asLong()).isEqualTo(sum.length());
            assertThat(reduced.get("sha256").asString()).isEqualTo(java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(sum.getBytes(StandardCharsets.UTF_8))));
            assertThat(api.get("/api/v1/jobs/" + tree + "/result/output").body()).isEqualTo(sum);
            assertThat(api.get("/api/v1/jobs/" + tree + "/outputs").body().lines()).hasSize(7);
            List<JsonNode> units = new ArrayList<>(EndToEndIT.workUnits(api, tree));
            assertThat(units).as("nothing written twice").hasSize(7 + 4 + 2 + 1)
                    .allSatisfy(wu -> assertThat(wu.get("state").asString()).isEqualTo("VALIDATED"));

            assertThat(awaitFinal(api, few).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + few + "/result/output").body())
                    .isEqualTo((9 * 10 * 19 / 6 + 19 * 20 * 39 / 6) + "\n");
            units.addAll(EndToEndIT.workUnits(api, few));
            EndToEndIT.assertCreditedOnce(api, units);
        }
    }

    @Test
    void aWorkerKilledMidTaskResumesTheModuleFromItsJournaledCheckpointAfterARestart(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator("--starling.dispatch.lease=5m"); // the restarted worker comes back well within the lease
            Process first = p.worker("w", "--checkpoint-interval=1s");
            TestApi api = p.api();
            deploy(api, "probe", WasmModules.c("probe"));
            // one work unit checkpointed every second that counts until it is resumed from a checkpoint, then ends
            // (no machine's speed outruns the kill): the module writes where it counted to under /checkpoint/, and
            // its output says where it resumed (what /checkpoint/ held)
            long job = api.submit("{\"app\":\"probe\",\"params\":{\"workUnits\":[{\"args\":[\"count\","
                    + "\"0\",\"until-resumed\"]}]},\"redundancy\":{\"quorum\":1}}");
            Path journal = p.workDir("w").resolve("tasks");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> EndToEndIT.inJournal(journal, "checkpoint") == 1);

            Processes.kill(first);
            Files.writeString(p.log("w"), "---- killed with SIGKILL, started again ----\n", StandardOpenOption.APPEND);
            p.worker("w", "--checkpoint-interval=1s");

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            String output = api.get("/api/v1/jobs/" + job + "/outputs").body();
            assertThat(output).as("resumed, not started over").matches("resumed at [1-9]\\d*, counted to [1-9]\\d*\n");
            assertThat(output.split(" ")[2]).as("ended where it resumed").isEqualTo(output.split(" ")[5].strip() + ",");
            String afterRestart = Files.readString(p.log("w")).split("---- killed with SIGKILL")[1];
            assertThat(afterRestart).containsPattern("Resuming task \\d+ \\(probe@1\\.0\\.0, job " + job
                    + "\\) from its checkpoint at \\d+%");
            List<JsonNode> units = EndToEndIT.workUnits(api, job);
            assertThat(units).singleElement().satisfies(wu -> assertThat(wu.get("results")).singleElement()
                    .satisfies(r -> assertThat(r.get("state").asString()).isEqualTo("VALID")));
            EndToEndIT.assertCreditedOnce(api, units);
        }
    }

    private static List<JsonNode> ndjson(TestApi api, long job) {
        TestApi.Response r = api.get("/api/v1/jobs/" + job + "/outputs?format=ndjson");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body().lines().map(line -> new TestApi.Response(200, "application/x-ndjson", line).json()).toList();
    }

    private static List<JsonNode> results(TestApi api, long job) {
        List<JsonNode> all = new ArrayList<>();
        api.get("/api/v1/jobs/" + job + "/workunits?size=500").json().get("items")
                .forEach(wu -> wu.get("results").forEach(all::add));
        return all;
    }

    private static Map<String, Integer> resultStates(TestApi api, long job) {
        Map<String, Integer> states = new HashMap<>();
        results(api, job).forEach(r -> states.merge(r.get("state").asString(), 1, Integer::sum));
        return states;
    }
}
