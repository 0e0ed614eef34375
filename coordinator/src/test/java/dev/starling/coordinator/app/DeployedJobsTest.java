package dev.starling.coordinator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.job.JobParamsAccess;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.WorkUnitSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Submitting jobs of deployed apps over real HTTP and PostgreSQL: which version a name resolves to and who may run
 * it, the three forms of parameters and their mistakes, the deadline, and the work units the splitter writes.
 */
class DeployedJobsTest extends CoordinatorTest {
    @Autowired
    JdbcClient jdbc;

    @Autowired
    ApplicationContext context;

    /** the researcher who deployed sq, made once for the class (its database lives as long as the class) */
    static String aliceKey;
    TestApi alice;
    String module;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.max-credit-per-work-unit", () -> "10");
    }

    @BeforeEach
    void deploy() {
        if (aliceKey == null) {
            aliceKey = researcherKey("alice");
        }
        alice = anonymous().withKey(aliceKey);
        byte[] bytes = WasmModules.command("out\n");
        module = ContentAddress.of(bytes);
        deploy(alice, "sq", "1.0.0", bytes);
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    static void deploy(TestApi as, String name, String version, byte[] module) {
        TestApi.Response r = as.deploy("{\"name\":\"" + name + "\",\"version\":\"" + version + "\","
                + "\"limits\":{\"memoryMiB\":32,\"maxCpuSeconds\":100,\"maxOutputBytes\":4096},"
                + "\"validation\":{\"kind\":\"bitwise\"},\"credit\":{\"perWorkUnit\":2.0}}", module);
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    private static String job(String app, String params) {
        return "{\"app\":\"" + app + "\",\"params\":" + params + "}";
    }

    @Test
    void aReduceStepWhoseTreeCouldReadMoreThanAWorkerTakesIsRefused() {
        TestApi.Response big = alice.deploy("{\"name\":\"bigout\",\"version\":\"1.0.0\",\"limits\":{"
                + "\"memoryMiB\":32,\"maxCpuSeconds\":100,\"maxOutputBytes\":8388608},\"validation\":{"
                + "\"kind\":\"bitwise\"},\"credit\":{\"perWorkUnit\":1.0}}", WasmModules.command("big\n"));
        assertThat(big.status()).as(big.body()).isEqualTo(201);
        long before = jdbc.sql("SELECT count(*) FROM job").query(Long.class).single();

        // the default fan-in, 16, outputs of 8 MiB: 128 MiB for one reduce work unit of a tree
        assertProblem(alice.post("/api/v1/jobs", "{\"app\":\"bigout@1.0.0\",\"params\":{\"workUnits\":[{}]},"
                + "\"reduce\":{\"app\":\"sq@1.0.0\"}}"), 400, "a worker reads as standard input");
        assertThat(jdbc.sql("SELECT count(*) FROM job").query(Long.class).single()).isEqualTo(before);
        long fine = alice.submit("{\"app\":\"sq@1.0.0\",\"params\":{\"workUnits\":[{}]},"
                + "\"reduce\":{\"app\":\"sq@1.0.0\"}}");
        assertThat(alice.job(fine).get("reduce").get("fanIn").asInt()).isEqualTo(16);
        assertThat(alice.job(fine).get("reduce").get("maxInputBytes").asLong()).isEqualTo(4L << 20);
    }

    @Test
    void aNameAloneIsPinnedToItsNewestEnabledRelease() {
        TestApi bob = researcher("bob");
        deploy(alice, "pinned", "1.0.0", WasmModules.command("1\n"));
        deploy(alice, "pinned", "1.2.0", WasmModules.command("2\n"));
        deploy(alice, "pinned", "1.10.0-rc.1", WasmModules.command("3\n"));
        deploy(alice, "pinned", "1.9.0", WasmModules.command("4\n"));
        api().postRaw("/api/v1/admin/apps/pinned/versions/1.9.0/disable", null, null);
        String params = "{\"workUnits\":[{\"args\":[\"1\"]}]}";

        assertThat(alice.job(alice.submit(job("pinned", params))).get("app").asString()).isEqualTo("pinned@1.2.0");
        assertThat(alice.job(alice.submit(job("pinned@1.10.0-rc.1", params))).get("app").asString())
                .isEqualTo("pinned@1.10.0-rc.1");
        assertProblem(alice.post("/api/v1/jobs", job("pinned@1.9.0", params)), 409, "disabled");
        assertProblem(alice.post("/api/v1/jobs", job("pinned@3.0.0", params)), 400, "unknown app");
        assertProblem(bob.post("/api/v1/jobs", job("pinned", params)), 400, "unknown app");
        assertProblem(bob.post("/api/v1/jobs", job("pinned@1.2.0", params)), 400, "unknown app");
        assertThat(api().job(api().submit(job("pinned", params))).get("app").asString()).isEqualTo("pinned@1.2.0");

        alice.postRaw("/api/v1/apps/pinned/share", null, null);
        assertThat(bob.job(bob.submit(job("pinned", params))).get("app").asString()).isEqualTo("pinned@1.2.0");
        api().postRaw("/api/v1/admin/apps/pinned/versions/1.2.0/revoke", null, null);
        assertThat(bob.job(bob.submit(job("pinned", params))).get("app").asString()).isEqualTo("pinned@1.0.0");
    }

    @Test
    void aListOfWorkUnitsBecomesWorkUnitsWithTheModuleAndFilesAsBlobs() throws Exception {
        String table = alice.upload("table".getBytes(StandardCharsets.UTF_8));
        String extra = alice.upload("extra".getBytes(StandardCharsets.UTF_8));
        long id = alice.submit(job("sq@1.0.0", "{\"files\":{\"table.dat\":\"" + table + "\"},\"workUnits\":["
                + "{\"args\":[\"1\",\"10\"],\"stdin\":\"seven\\n\",\"files\":{\"extra.dat\":\"" + extra + "\"},"
                + "\"cost\":2.5},{\"args\":[\"10\",\"20\"]}]}"));

        JsonNode view = alice.job(id);
        assertThat(view.get("workUnits").get("total").asLong()).isEqualTo(2);
        assertThat(view.get("deadlineSeconds").asInt()).as("four times maxCpuSeconds, at least 600").isEqualTo(600);
        await().until(() -> count("SELECT count(*) FROM work_unit WHERE job_id = :job", id) == 2);
        List<Row> rows = rows(id);
        WasmWorkUnit first = WasmWorkUnit.parseFrom(rows.get(0).input());
        assertThat(first.getModule()).isEqualTo(module);
        assertThat(first.getArgsList()).containsExactly("1", "10");
        assertThat(first.getStdin().toStringUtf8()).isEqualTo("seven\n");
        assertThat(first.getFilesList()).extracting(f -> f.getName() + "=" + f.getBlobId())
                .containsExactly("extra.dat=" + extra, "table.dat=" + table);
        assertThat(first.getLimits().getMemoryMib()).isEqualTo(32);
        assertThat(first.getLimits().getMaxCpuSeconds()).isEqualTo(100);
        assertThat(first.getLimits().getMaxOutputBytes()).isEqualTo(4096);
        assertThat(first.getLimits().getMaxScratchBytes()).isEqualTo(64L << 20);
        assertThat(first.getSeed()).isZero();
        assertThat(first.getNondeterministic()).isFalse();
        assertThat(rows.get(0).blobs()).as("the module is the version's, added by the claim")
                .containsExactly(extra, table);
        assertThat(rows.get(0).cost()).as("perWorkUnit 2 times cost 2.5").isEqualTo(5.0);
        WasmWorkUnit second = WasmWorkUnit.parseFrom(rows.get(1).input());
        assertThat(second.getSeed()).isEqualTo(1);
        assertThat(second.getFilesList()).extracting(f -> f.getName()).containsExactly("table.dat");
        assertThat(rows.get(1).cost()).isEqualTo(2.0);
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job AND app = 'sq@1.0.0' AND reads_blobs", id))
                .isEqualTo(4);
    }

    @Test
    void aSweepOfAMillionWorkUnitsIsPlannedFromEachIndex() {
        long id = alice.submit(job("sq", "{\"sweep\":{\"from\":1,\"to\":1000000000,\"step\":1000,"
                + "\"args\":[\"{from}\",\"{to}\",\"#{index}\"]}}"));

        JsonNode view = alice.job(id);
        assertThat(view.get("workUnits").get("total").asLong()).isEqualTo(1_000_000);
        assertThat(view.get("params").toString()).hasSizeLessThan(200);
        StagePlan plan = JobParamsAccess.plan(context, id);
        assertThat(plan.size()).isEqualTo(1_000_000);
        assertThat(args(plan.workUnit(0))).containsExactly("1", "1001", "#0");
        assertThat(args(plan.workUnit(999_999))).as("the last piece is clipped to 'to'")
                .containsExactly("999999001", "1000000000", "#999999");
        await().until(() -> count("SELECT count(*) FROM work_unit WHERE job_id = :job", id) >= 1000);
        alice.postRaw("/api/v1/jobs/" + id + "/cancel", null, null);
    }

    @Test
    void aSweepAtTheEdgesOfLong() {
        long id = alice.submit(job("sq", "{\"sweep\":{\"from\":-9223372036854775808,\"to\":9223372036854775807,"
                + "\"step\":9223372036854775807,\"args\":[\"{from}\",\"{to}\"]}}"));

        StagePlan plan = JobParamsAccess.plan(context, id);
        assertThat(plan.size()).isEqualTo(3);
        assertThat(args(plan.workUnit(0))).containsExactly("-9223372036854775808", "-1");
        assertThat(args(plan.workUnit(1))).containsExactly("-1", "9223372036854775806");
        assertThat(args(plan.workUnit(2))).containsExactly("9223372036854775806", "9223372036854775807");
    }

    @Test
    void aBlobOfJsonLinesIsCheckedIndexedAndReadByIndex() {
        String file = alice.upload("shared".getBytes(StandardCharsets.UTF_8));
        StringBuilder lines = new StringBuilder();
        int n = 20_000; // more than one window of the index reader (1,024 lines) and of file checks (1,000 blobs)
        for (int i = 0; i < n; i++) {
            lines.append("{\"args\":[\"").append(i).append("\"]").append(i % 7 == 0 ? ",\"stdin\":\"x\"" : "")
                    .append(i == 5 ? ",\"files\":{\"f.dat\":\"" + file + "\"}" : "").append("}\n");
            if (i % 5000 == 0) {
                lines.append("\n  \n"); // blank lines are skipped
            }
        }
        String blob = alice.upload(lines.toString().getBytes(StandardCharsets.UTF_8));

        long id = alice.submit(job("sq", "{\"workUnitsBlob\":\"" + blob + "\"}"));
        long again = alice.submit(job("sq", "{\"workUnitsBlob\":\"" + blob + "\"}"));

        assertThat(alice.job(id).get("workUnits").get("total").asLong()).isEqualTo(n);
        assertThat(jdbc.sql("SELECT lines FROM work_units_index WHERE blob_id = :b").param("b", blob)
                .query(Long.class).list()).as("one index per blob").containsExactly((long) n);
        StagePlan plan = JobParamsAccess.plan(context, again);
        for (long i : new long[] {19_999, 0, 5, 1023, 1024, 1025, 12_345, 19_998}) {
            assertThat(args(plan.workUnit(i))).as("work unit " + i).containsExactly(Long.toString(i));
        }
        assertThat(plan.workUnit(5).blobs()).containsExactly(file);
        await().until(() -> count("SELECT count(*) FROM work_unit WHERE job_id = :job", id) == n);
        List<Row> rows = rows(id);
        for (int i = 0; i < n; i += 997) {
            assertThat(args(rows.get(i).input())).containsExactly(Integer.toString(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # why                               | field                            | params
            no form                             | params                           | {}
            two forms                           | params                           | {"workUnits":[{}],"sweep":{"from":0,"to":1}}
            an unknown field                    | params.colour                    | {"workUnits":[{}],"colour":"red"}
            an empty list                       | params.workUnits                 | {"workUnits":[]}
            not a list                          | params.workUnits                 | {"workUnits":{"args":[]}}
            a work unit not an object           | params.workUnits[0]              | {"workUnits":[42]}
            args not strings                    | params.workUnits[1].args[0]      | {"workUnits":[{},{"args":[1]}]}
            an unknown work unit field          | params.workUnits[0].env          | {"workUnits":[{"env":{}}]}
            a bad file name                     | params.workUnits[0].files.../x   | {"workUnits":[{"files":{"../x":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}}]}
            not a blob id                       | params.files.a                   | {"workUnits":[{}],"files":{"a":"table.dat"}}
            a blob nobody uploaded              | params.files.a                   | {"workUnits":[{}],"files":{"a":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}}
            a cost over the credit cap          | params.workUnits[0].cost         | {"workUnits":[{"cost":5.5}]}
            a negative cost                     | params.workUnits[0].cost         | {"workUnits":[{"cost":-1}]}
            sweep to before from                | params.sweep.to                  | {"sweep":{"from":10,"to":10}}
            sweep without to                    | params.sweep.to                  | {"sweep":{"from":10}}
            sweep of too many work units        | params.sweep.step                | {"sweep":{"from":0,"to":100000000,"step":1}}
            sweep step zero                     | params.sweep.step                | {"sweep":{"from":0,"to":10,"step":0}}
            a blob of lines nobody uploaded     | params.workUnitsBlob             | {"workUnitsBlob":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}
            """)
    void badParametersAreProblemsNamingTheFieldAndStoreNothing(String why, String field, String params) {
        assertRefused(alice.post("/api/v1/jobs", job("sq", params)), field);
    }

    @Test
    void aBadLineOfABlobIsNamedByItsNumber() {
        String another = researcher("bob").upload("bob's".getBytes(StandardCharsets.UTF_8));
        String blob = alice.upload(("{\"args\":[\"ok\"]}\n\n{\"args\":[\"ok\"]}\n{\"args\":\"not a list\"}\n"
                + "{not json\n{\"files\":{\"b.dat\":\"" + another + "\"}}\n").getBytes(StandardCharsets.UTF_8));

        TestApi.Response r = alice.post("/api/v1/jobs", job("sq", "{\"workUnitsBlob\":\"" + blob + "\"}"));

        assertRefused(r, "params.workUnitsBlob");
        assertThat(r.json().get("errors").findValuesAsString("message")).anySatisfy(m -> assertThat(m)
                .startsWith("line 4: args: must be a JSON array")).anySatisfy(m -> assertThat(m)
                .startsWith("line 5: is not JSON")).anySatisfy(m -> assertThat(m)
                .startsWith("line 6: files: no blob " + another));
        String empty = alice.upload("\n \n".getBytes(StandardCharsets.UTF_8));
        assertRefused(alice.post("/api/v1/jobs", job("sq", "{\"workUnitsBlob\":\"" + empty + "\"}")),
                "params.workUnitsBlob");
        assertThat(jdbc.sql("SELECT count(*) FROM work_units_index WHERE blob_id IN (:a, :b)").param("a", blob)
                .param("b", empty).query(Long.class).single()).as("no index for a blob with a bad line").isZero();
    }

    @Test
    void aListLongerThanTheParamsLimitIsSentToABlob() {
        StringBuilder list = new StringBuilder("{\"workUnits\":[");
        for (int i = 0; i < 8000; i++) {
            list.append(i == 0 ? "" : ",").append("{\"args\":[\"").append(i).append("\"]}");
        }
        TestApi.Response r = alice.post("/api/v1/jobs", job("sq", list.append("]}").toString()));

        assertRefused(r, "params");
        assertThat(r.json().get("detail").asString()).contains("workUnitsBlob");
    }

    @Test
    void theDeadlineMustLeaveRoomForTheAppsCpuTime() {
        deploy(alice, "slow", "1.0.0", WasmModules.command("s\n"));
        // maxCpuSeconds 100: at least 200 seconds, 600 by default
        assertRefused(alice.post("/api/v1/jobs", "{\"app\":\"sq\",\"params\":{\"workUnits\":[{}]},"
                + "\"deadlineSeconds\":150}"), "deadlineSeconds");
        assertThat(alice.job(alice.submit("{\"app\":\"sq\",\"params\":{\"workUnits\":[{}]},\"deadlineSeconds\":200}"))
                .get("deadlineSeconds").asInt()).isEqualTo(200);
    }

    @Test
    void maxFailedWorkUnitsIsForDeployedAppsAndBounded() {
        assertRefused(alice.post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":10},"
                + "\"maxFailedWorkUnits\":1}"), "maxFailedWorkUnits");
        assertRefused(alice.post("/api/v1/jobs", "{\"app\":\"sq\",\"params\":{\"workUnits\":[{}]},"
                + "\"maxFailedWorkUnits\":-1}"), "maxFailedWorkUnits");
        assertThat(alice.job(alice.submit("{\"app\":\"sq\",\"params\":{\"workUnits\":[{}]},\"maxFailedWorkUnits\":3}"))
                .get("maxFailedWorkUnits").asInt()).isEqualTo(3);
    }

    @Test
    void revokingAVersionCancelsItsJobsAndDisablingOneLetsThemRun() {
        deploy(alice, "doomed", "1.0.0", WasmModules.command("d\n"));
        deploy(alice, "paused", "1.0.0", WasmModules.command("p\n"));
        long doomed = alice.submit(job("doomed", "{\"workUnits\":[{},{}]}"));
        long paused = alice.submit(job("paused", "{\"workUnits\":[{},{}]}"));
        long builtIn = alice.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000}}");
        await().until(() -> count("SELECT count(*) FROM result WHERE job_id = :job", doomed) == 4);

        api().post("/api/v1/admin/apps/doomed/versions/1.0.0/revoke", "{\"reason\":\"reads /etc/passwd\"}");
        api().post("/api/v1/admin/apps/paused/versions/1.0.0/disable", "{}");

        JsonNode cancelled = alice.job(doomed);
        assertThat(cancelled.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("error").asString()).contains("revoked").contains("reads /etc/passwd");
        assertThat(count("SELECT count(*) FROM result WHERE job_id = :job AND state <> 'CANCELLED'", doomed)).isZero();
        assertThat(alice.job(paused).get("state").asString()).isEqualTo("QUEUED");
        assertThat(alice.job(builtIn).get("state").asString()).isEqualTo("QUEUED");
        assertProblem(alice.post("/api/v1/jobs", job("paused", "{\"workUnits\":[{}]}")), 409, "disabled");
        assertProblem(alice.post("/api/v1/jobs", job("doomed@1.0.0", "{\"workUnits\":[{}]}")), 409, "revoked");
    }

    // ---- helpers

    record Row(byte[] input, List<String> blobs, double cost) {}

    private List<Row> rows(long jobId) {
        return jdbc.sql("SELECT input, blobs, cost FROM work_unit WHERE job_id = :job ORDER BY idx")
                .param("job", jobId)
                .query((rs, i) -> new Row(rs.getBytes(1), List.of((String[]) rs.getArray(2).getArray()), rs.getDouble(3)))
                .list();
    }

    private static List<String> args(WorkUnitSpec spec) {
        return args(spec.input());
    }

    private static List<String> args(byte[] input) {
        try {
            return WasmWorkUnit.parseFrom(input).getArgsList();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private long count(String sql, long jobId) {
        return jdbc.sql(sql).paramSource(new org.springframework.jdbc.core.namedparam.MapSqlParameterSource("job", jobId))
                .query(Long.class).single();
    }

    private void assertRefused(TestApi.Response r, String field) {
        assertProblem(r, 400);
        assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
    }

    private static void assertProblem(TestApi.Response r, int status, String... detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        for (String d : detail) {
            assertThat(r.json().get("detail").asString()).contains(d);
        }
    }
}
