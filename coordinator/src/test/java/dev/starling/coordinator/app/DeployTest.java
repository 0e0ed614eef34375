package dev.starling.coordinator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.sdk.ContentAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Deploying WebAssembly apps over real HTTP ({@code POST /api/v1/apps}, multipart): what is refused and why (nothing
 * stored), who owns a name, immutable versions, sharing, what {@code GET /api/v1/apps} shows to whom, and the admin's
 * disable, enable and revoke.
 */
class DeployTest extends CoordinatorTest {
    static final int MAX_MODULE = 256 * 1024;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.max-module-size", () -> MAX_MODULE + "B");
        registry.add("starling.apps.max-memory-mib", () -> "1024");
        registry.add("starling.apps.max-cpu-seconds", () -> "7200");
        registry.add("starling.apps.max-credit-per-work-unit", () -> "10");
        registry.add("starling.limits.max-inline-output-bytes", () -> "1048576");
    }

    static String manifest(String name, String version) {
        return manifest(name, version, "\"limits\":{\"memoryMiB\":64,\"maxCpuSeconds\":60,\"maxOutputBytes\":4096}");
    }

    static String manifest(String name, String version, String limits) {
        return "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"description\":\"Collatz search\","
                + limits + ",\"validation\":{\"kind\":\"bitwise\"},\"credit\":{\"perWorkUnit\":1.0}}";
    }

    @Test
    void aDeployAnswersCreatedWithTheVersionAndItsLocation() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("hello\n");

        TestApi.Response r = alice.deploy(manifest("hello", "1.0.0"), module);

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode v = r.json();
        assertThat(v.get("app").asString()).isEqualTo("hello@1.0.0");
        assertThat(v.get("state").asString()).isEqualTo("ENABLED");
        assertThat(v.get("module").asString()).isEqualTo(ContentAddress.of(module));
        assertThat(v.get("moduleSize").asLong()).isEqualTo(module.length);
        assertThat(v.get("manifest").get("limits").get("maxScratchBytes").asLong()).isEqualTo(64L << 20);
        assertThat(v.get("manifest").get("deterministic").asBoolean()).isTrue();
        assertThat(v.get("researcherId").asLong()).isPositive();
        assertThat(alice.get("/api/v1/apps/hello/versions/1.0.0").json().get("app").asString()).isEqualTo("hello@1.0.0");
        // the module is a blob: the data plane serves it to workers
        assertThat(jdbc.sql("SELECT size FROM blob WHERE id = :id").param("id", ContentAddress.of(module))
                .query(Long.class).single()).isEqualTo(module.length);
    }

    @Test
    void aCSampleBuiltWithClangDeploys() {
        byte[] primes = WasmModules.c("primes");

        TestApi.Response r = researcher("carol").deploy(manifest("primes-c", "1.0.0"), primes);

        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void theSameBytesAgainAreTheSameVersionAndOtherBytesAConflict() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("one\n");
        assertThat(alice.deploy(manifest("immutable", "1.0.0"), module).status()).isEqualTo(201);

        TestApi.Response again = alice.deploy(manifest("immutable", "1.0.0"), module);
        TestApi.Response otherModule = alice.deploy(manifest("immutable", "1.0.0"), WasmModules.command("two\n"));
        TestApi.Response otherManifest = alice.deploy(manifest("immutable", "1.0.0",
                "\"limits\":{\"memoryMiB\":128,\"maxCpuSeconds\":60,\"maxOutputBytes\":4096}"), module);
        TestApi.Response nextVersion = alice.deploy(manifest("immutable", "1.0.1"), WasmModules.command("two\n"));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("module").asString()).isEqualTo(ContentAddress.of(module));
        assertProblem(otherModule, 409, "another module");
        assertProblem(otherManifest, 409, "another manifest");
        assertThat(nextVersion.status()).isEqualTo(201);
        assertThat(jdbc.sql("SELECT count(*) FROM app_version WHERE name = 'immutable'").query(Long.class).single())
                .isEqualTo(2);
    }

    @Test
    void aNameBelongsToItsFirstDeployerAndTheAdmin() {
        TestApi alice = researcher("alice");
        TestApi bob = researcher("bob");
        assertThat(alice.deploy(manifest("owned", "1.0.0"), WasmModules.command("a\n")).status()).isEqualTo(201);

        assertProblem(bob.deploy(manifest("owned", "2.0.0"), WasmModules.command("b\n")), 403, "another researcher");
        assertThat(api().deploy(manifest("owned", "2.0.0"), WasmModules.command("b\n")).status()).isEqualTo(201);
        assertThat(alice.deploy(manifest("owned", "3.0.0"), WasmModules.command("c\n")).status()).isEqualTo(201);
        assertProblem(alice.deploy(manifest("primes", "1.0.0"), WasmModules.command("p\n")), 409, "built-in");
        // the admin's own name: researchers cannot deploy under it
        assertThat(api().deploy(manifest("admins", "1.0.0"), WasmModules.command("x\n")).status()).isEqualTo(201);
        assertProblem(alice.deploy(manifest("admins", "1.0.1"), WasmModules.command("y\n")), 403, "another");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # why                             | status | field                        | manifest
            not JSON                          | 400    | manifest                     | {"name":
            not an object                     | 400    | manifest                     | [1,2]
            missing name                      | 400    | manifest.name                | {"version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            a name with capitals              | 400    | manifest.name                | {"name":"Bad","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            a name with @                     | 400    | manifest.name                | {"name":"a@b","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            not a semantic version            | 400    | manifest.version             | {"name":"refused","version":"1.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            build metadata                    | 400    | manifest.version             | {"name":"refused","version":"1.0.0+abc","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            missing limits                    | 400    | manifest.limits              | {"name":"refused","version":"1.0.0","validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            memory above the operator's max   | 400    | manifest.limits.memoryMiB    | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":2048,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            no memory                         | 400    | manifest.limits.memoryMiB    | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":0,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            CPU above the operator's max      | 400    | manifest.limits.maxCpuSeconds | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":7201,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            output above the inline limit     | 400    | manifest.limits.maxOutputBytes | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":1048577},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            a fraction of a second            | 400    | manifest.limits.maxCpuSeconds | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":1.5,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            an unknown limit                  | 400    | manifest.limits.maxThreads   | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096,"maxThreads":4},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            credit above the operator's cap   | 400    | manifest.credit.perWorkUnit  | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":11}}
            negative credit                   | 400    | manifest.credit.perWorkUnit  | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":-1}}
            unknown validation                | 400    | manifest.validation.kind     | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"fuzzy"},"credit":{"perWorkUnit":1}}
            numeric without a tolerance       | 400    | manifest.validation          | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"numeric"},"credit":{"perWorkUnit":1}}
            a relative tolerance above 1      | 400    | manifest.validation.relTolerance | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"numeric","relTolerance":2},"credit":{"perWorkUnit":1}}
            an unknown field                  | 400    | manifest.colour              | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1},"colour":"red"}
            a long description                | 400    | manifest.description         | {"name":"refused","version":"1.0.0","description":"%501","limits":{"memoryMiB":64,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            less memory than the module has   | 400    | manifest.limits.memoryMiB    | {"name":"refused","version":"1.0.0","limits":{"memoryMiB":1,"maxCpuSeconds":60,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1}}
            """)
    void aBadManifestIsRefusedNamingTheFieldAndStoresNothing(String why, int status, String field, String manifest) {
        String json = manifest.replace("%501", "x".repeat(501));
        byte[] module = WasmModules.command("refused\n", 17); // 17 pages: more than 1 MiB

        assertRefused(researcher("mallory").deploy(json, module), status, field);
    }

    @Test
    void badModulesAreRefusedSayingWhyAndStoreNothing() {
        TestApi mallory = researcher("mallory");
        byte[] random = new byte[5000];
        new Random(7).nextBytes(random);
        byte[] command = WasmModules.command("ok\n");
        String manifest = manifest("refused", "1.0.0");

        assertRefused(mallory.deploy(manifest, random), 400, "module", "does not parse");
        assertRefused(mallory.deploy(manifest, java.util.Arrays.copyOf(command, command.length / 2)), 400, "module",
                "does not parse");
        assertRefused(mallory.deploy(manifest, WasmModules.wat("(module (memory (export \"memory\") 1))")), 400,
                "module", "not a WASI command");
        assertRefused(mallory.deploy(manifest, WasmModules.wat(
                "(module (memory (export \"memory\") 1) (func (export \"_start\")) (func (export \"_initialize\")))")),
                400, "module", "reactor");
        assertRefused(mallory.deploy(manifest, WasmModules.wat("(module (import \"env\" \"open\" (func))"
                + " (memory (export \"memory\") 1) (func (export \"_start\")))")), 400, "module", "env.open");
        assertRefused(mallory.deploy(manifest, WasmModules.wat("(module (import \"wasi_snapshot_preview1\""
                + " \"sock_accept\" (func (param i32 i32 i32) (result i32))) (memory (export \"memory\") 1)"
                + " (func (export \"_start\")))")), 400, "module", "no network");
        assertRefused(mallory.deploy(manifest, WasmModules.watAllFeatures(
                "(module (memory (export \"memory\") 1 1 shared) (func (export \"_start\")))")), 400, "module",
                "shared");
        assertRefused(mallory.deploy(manifest, new byte[MAX_MODULE + 1]), 413, null, "at most " + MAX_MODULE);
    }

    @Test
    void aDeployThatIsNotAFormOrLacksAPartIsRefused() {
        TestApi alice = researcher("alice");

        assertRefused(alice.postRaw("/api/v1/apps", "application/json", manifest("refused", "1.0.0")), 415, null,
                "multipart/form-data");
        assertRefused(alice.postMultipart("/api/v1/apps", new TestApi.Part("manifest", "application/json",
                manifest("refused", "1.0.0").getBytes(StandardCharsets.UTF_8))), 400, "module", "required");
        assertRefused(alice.postMultipart("/api/v1/apps", new TestApi.Part("module", "application/wasm",
                WasmModules.command("x"))), 400, "manifest", "required");
        assertThat(anonymous().deploy(manifest("refused", "1.0.0"), WasmModules.command("x")).status()).isEqualTo(401);
        assertThat(anonymous().withKey(signUp("vera")).deploy(manifest("refused", "1.0.0"), WasmModules.command("x"))
                .status()).isEqualTo(403);
    }

    @Test
    void withoutTheProjectsKeyDeploysAreUnsignedAndASignatureIsRefused() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("x\n");

        assertRefused(SignedDeployTest.deploy(alice, manifest("refused", "1.0.0"), module, "{}"), 400, "signature",
                "checks no signatures");
        TestApi.Response unsigned = alice.deploy(manifest("unsigned", "1.0.0"), module);
        assertThat(unsigned.status()).as(unsigned.body()).isEqualTo(201);
        assertThat(unsigned.json().get("signed").asBoolean()).isFalse();
    }

    @Test
    void theListShowsBuiltInAppsThenTheDeployedOnesEachCallerMaySee() {
        TestApi alice = researcher("alice");
        TestApi bob = researcher("bob");
        alice.deploy(manifest("listed", "1.0.0"), WasmModules.command("1\n"));
        alice.deploy(manifest("listed", "1.2.0"), WasmModules.command("2\n"));
        alice.deploy(manifest("listed", "1.10.0-rc.1"), WasmModules.command("3\n"));

        JsonNode forAlice = app(alice.get("/api/v1/apps").json(), "listed");
        JsonNode primes = app(anonymous().get("/api/v1/apps").json(), "primes");

        assertThat(primes.get("kind").asString()).isEqualTo("built-in");
        assertThat(primes.get("params")).isNotEmpty();
        assertThat(forAlice.get("kind").asString()).isEqualTo("deployed");
        assertThat(forAlice.get("version").asString()).as("the newest enabled release").isEqualTo("1.2.0");
        assertThat(forAlice.get("researcherId").asLong()).isPositive();
        assertThat(forAlice.get("shared").asBoolean()).isFalse();
        assertThat(forAlice.get("versions").findValuesAsString("version"))
                .containsExactly("1.0.0", "1.2.0", "1.10.0-rc.1");
        assertThat(app(bob.get("/api/v1/apps").json(), "listed")).as("not shared").isNull();
        assertThat(app(anonymous().get("/api/v1/apps").json(), "listed")).isNull();
        assertThat(app(api().get("/api/v1/apps").json(), "listed").get("researcherId")).isNotNull();
        assertThat(bob.get("/api/v1/apps/listed/versions/1.0.0").status()).isEqualTo(404);
    }

    @Test
    void anOwnerSharesAnAppWithEveryResearcherWithoutShowingThemself() {
        TestApi alice = researcher("alice");
        TestApi bob = researcher("bob");
        alice.deploy(manifest("shared-app", "1.0.0"), WasmModules.command("s\n"));

        assertThat(bob.postRaw("/api/v1/apps/shared-app/share", null, null).status()).isEqualTo(404);
        TestApi.Response shared = alice.postRaw("/api/v1/apps/shared-app/share", null, null);

        assertThat(shared.status()).isEqualTo(200);
        assertThat(shared.json().get("shared").asBoolean()).isTrue();
        JsonNode forBob = app(bob.get("/api/v1/apps").json(), "shared-app");
        assertThat(forBob.get("version").asString()).isEqualTo("1.0.0");
        assertThat(forBob.get("researcherId")).as("the owner is shown to the owner and the admin only").isNull();
        assertThat(anonymous().get("/api/v1/apps/shared-app/versions/1.0.0").json().get("researcherId")).isNull();
        assertThat(bob.postRaw("/api/v1/apps/shared-app/unshare", null, null).status()).isEqualTo(403);
        assertThat(alice.postRaw("/api/v1/apps/shared-app/unshare", null, null).json().get("shared").asBoolean())
                .isFalse();
        assertThat(app(bob.get("/api/v1/apps").json(), "shared-app")).isNull();
    }

    @Test
    void theAdminDisablesEnablesAndRevokesAVersion() {
        TestApi alice = researcher("alice");
        alice.deploy(manifest("moderated", "1.0.0"), WasmModules.command("m\n"));
        String base = "/api/v1/admin/apps/moderated/versions/1.0.0/";

        assertThat(alice.postRaw(base + "disable", null, null).status()).isEqualTo(403);
        JsonNode disabled = api().post(base + "disable", "{\"reason\":\"too slow\"}").json();
        assertThat(disabled.get("state").asString()).isEqualTo("DISABLED");
        assertThat(disabled.get("stateReason").asString()).isEqualTo("too slow");
        assertThat(app(alice.get("/api/v1/apps").json(), "moderated").get("version")).isNull();
        assertThat(api().postRaw(base + "enable", null, null).json().get("state").asString()).isEqualTo("ENABLED");
        assertThat(api().postRaw(base + "revoke", null, null).json().get("state").asString()).isEqualTo("REVOKED");
        assertThat(api().postRaw(base + "revoke", null, null).status()).as("again: nothing changes").isEqualTo(200);
        assertProblem(api().postRaw(base + "enable", null, null), 409, "revoked");
        assertThat(api().postRaw("/api/v1/admin/apps/moderated/versions/9.9.9/revoke", null, null).status())
                .isEqualTo(404);
    }

    private void assertRefused(TestApi.Response r, int status, String field, String... detail) {
        long versions = jdbc.sql("SELECT count(*) FROM app_version").query(Long.class).single();
        assertProblem(r, status, detail);
        if (field != null) {
            assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM app_name WHERE name = 'refused'").query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM app_version").query(Long.class).single()).isEqualTo(versions);
    }

    private static void assertProblem(TestApi.Response r, int status, String... detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        for (String d : detail) {
            assertThat(r.json().get("detail").asString()).contains(d);
        }
    }

    static JsonNode app(JsonNode list, String name) {
        for (JsonNode a : list) {
            if (a.get("name").asString().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
