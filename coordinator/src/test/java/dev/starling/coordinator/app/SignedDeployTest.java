package dev.starling.coordinator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.researchercli.ResearcherCli;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import dev.starling.wasm.signing.TrustedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A coordinator configured with the project's key ({@code starling.apps.signing.public-keys}) over real HTTP and gRPC
 * on real PostgreSQL: it refuses unsigned deploys, other keys' signatures and signatures made for other fields (another
 * version, looser limits), each a 400 that stores nothing; it takes a key announced by the trusted one; it sends the
 * signature with every task, for workers to check; and an unsigned version takes no new jobs.
 */
class SignedDeployTest extends CoordinatorTest {
    static final KeyPair PROJECT = SigningKeys.generate();
    static final KeyPair OTHER = SigningKeys.generate();
    static final KeyPair ROTATED = SigningKeys.generate();

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.signing.public-keys",
                () -> SigningKeys.publicKeyText(PROJECT.getPublic().getEncoded()));
        registry.add("starling.apps.refresh-interval", () -> "100ms");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    static String manifest(String name, String version, int memoryMiB) {
        return "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"limits\":{\"memoryMiB\":" + memoryMiB
                + ",\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                + "\"credit\":{\"perWorkUnit\":1.0}}";
    }

    /** The fields of {@link #manifest} with its defaults (64 MiB scratch, deterministic), as app sign reads them. */
    static SignedFields fields(String name, String version, int memoryMiB, byte[] module) {
        return new SignedFields(name, version, ContentAddress.of(module), memoryMiB, 60, 4096, 64L << 20, true,
                "bitwise", 0, 0, 1.0);
    }

    /** The signature part, as app sign writes it. */
    static String signature(KeyPair key, SignedFields fields, String... chain) {
        return "{\"format\":\"starling-app-signature-v1\",\"signature\":\"" + Base64.getEncoder().encodeToString(
                SigningKeys.sign(key.getPrivate(), fields.payload())) + "\",\"chain\":[" + String.join(",", chain)
                + "]}";
    }

    static String announcement(KeyPair by, KeyPair announced) {
        byte[] key = announced.getPublic().getEncoded();
        return "{\"format\":\"starling-key-announcement-v1\",\"key\":\"" + Base64.getEncoder().encodeToString(key)
                + "\",\"signature\":\"" + Base64.getEncoder().encodeToString(SigningKeys.sign(by.getPrivate(),
                        SigningKeys.announcementPayload(key))) + "\"}";
    }

    static TestApi.Response deploy(TestApi as, String manifest, byte[] module, String signature) {
        return as.postMultipart("/api/v1/apps",
                new TestApi.Part("manifest", "application/json", manifest.getBytes(StandardCharsets.UTF_8)),
                new TestApi.Part("module", "application/wasm", module),
                new TestApi.Part("signature", "application/json", signature.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aVersionSignedWithTheProjectsKeyDeploysAndItsTasksCarryTheSignature() throws Exception {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("signed\n");

        TestApi.Response r = deploy(alice, manifest("signed", "1.0.0", 64), module,
                signature(PROJECT, fields("signed", "1.0.0", 64, module)));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("signed").asBoolean()).isTrue();
        long id = alice.submit("{\"app\":\"signed@1.0.0\",\"params\":{\"workUnits\":[{\"args\":[\"1\"]}]},"
                + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        await().until(() -> alice.job(id).get("workUnits").get("unsplit").asLong() == 0);
        TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp("signed-host")));
        host.registerWasm("signed-host", 64);
        List<Task> tasks = host.requestWork(1);
        assertThat(tasks).hasSize(1);
        Task task = tasks.getFirst();
        assertThat(task.hasAppSignature()).isTrue();
        // what a worker checks: the fields it is about to run with, against the key it was given out of band
        WasmWorkUnit unit = WasmWorkUnit.parseFrom(task.getInput());
        var s = task.getAppSignature();
        SignedFields received = new SignedFields("signed", "1.0.0", unit.getModule(), unit.getLimits().getMemoryMib(),
                unit.getLimits().getMaxCpuSeconds(), unit.getLimits().getMaxOutputBytes(),
                unit.getLimits().getMaxScratchBytes(), !unit.getNondeterministic(), s.getValidationKind(),
                s.getRelTolerance(), s.getAbsTolerance(), s.getCreditPerWorkUnit());
        assertThat(new TrustedKeys(List.of(PROJECT.getPublic().getEncoded())).problem(received,
                AppSigning.signature(s))).isNull();
    }

    @Test
    void theResearchersCommandLineSignsAndDeploysTheGuidesExample(@TempDir Path home) throws Exception {
        Path key = Files.writeString(home.resolve("project.key"), SigningKeys.privateKeyPem(PROJECT.getPrivate()));
        Path module = Files.write(home.resolve("collatz.wasm"), WasmModules.command("1 1000 871 178\n"));
        Path manifest = Path.of("../docs/examples/collatz/collatz.json");
        Path signature = home.resolve("collatz.sig");
        ResearcherCli cli = new ResearcherCli(httpPort, researcherKey("carol"), home);

        ResearcherCli.Result signed = cli.run("app", "sign", module.toString(), "--manifest", manifest.toString(),
                "--key", key.toString(), "-o", signature.toString());
        ResearcherCli.Result unsigned = cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString());
        ResearcherCli.Result deployed = cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString(),
                "--signature", signature.toString());

        assertThat(signed.exitCode()).as(signed.err()).isZero();
        assertThat(unsigned.exitCode()).as(unsigned.err()).isNotZero();
        assertThat(unsigned.err()).contains("signature").contains("is required");
        assertThat(deployed.exitCode()).as(deployed.err()).isZero();
        assertThat(deployed.out().strip()).isEqualTo("collatz@1.0.0");
    }

    @Test
    void unsignedOrMalformedSignaturesAreRefusedAndStoreNothing() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("x\n");

        assertRefused(alice.deploy(manifest("refused", "1.0.0", 64), module), "signature", "is required");
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module, "{\"signature\":"), "signature",
                "is not JSON");
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                "{\"format\":\"starling-app-signature-v1\",\"signature\":\"!!\"}"), "signature.signature",
                "is not Base64");
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                "{\"format\":\"v0\",\"signature\":\"AAAA\",\"extra\":1}"), "signature.extra", "unknown field");
    }

    @Test
    void aSignatureByAnotherKeyOrForOtherFieldsIsRefused() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("x\n");

        // another key
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                signature(OTHER, fields("refused", "1.0.0", 64, module))), "signature", "does not verify");
        // looser limits than were signed
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 128), module,
                signature(PROJECT, fields("refused", "1.0.0", 64, module))), "signature", "does not verify");
        // another version's signature: no rollback of 2.0.0's module under 1.0.0 (or the reverse)
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                signature(PROJECT, fields("refused", "2.0.0", 64, module))), "signature", "does not verify");
        // another module
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                signature(PROJECT, fields("refused", "1.0.0", 64, WasmModules.command("y\n")))), "signature",
                "does not verify");
    }

    @Test
    void aKeyAnnouncedByTheProjectsKeySigns() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("rotated\n");
        SignedFields fields = fields("rotated", "1.0.0", 64, module);

        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                signature(ROTATED, fields("refused", "1.0.0", 64, module))), "signature", "does not verify");
        assertRefused(deploy(alice, manifest("refused", "1.0.0", 64), module,
                signature(ROTATED, fields("refused", "1.0.0", 64, module), announcement(OTHER, ROTATED))),
                "signature", "not signed by a trusted key");
        TestApi.Response r = deploy(alice, manifest("rotated", "1.0.0", 64), module,
                signature(ROTATED, fields, announcement(PROJECT, ROTATED)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aVersionStoredUnsignedTakesNoNewJobs() {
        TestApi alice = researcher("alice");
        byte[] module = WasmModules.command("old\n");
        assertThat(deploy(alice, manifest("old", "1.0.0", 64), module,
                signature(PROJECT, fields("old", "1.0.0", 64, module))).status()).isEqualTo(201);
        // as a version deployed before the coordinator was given the project's key
        jdbc.sql("UPDATE app_version SET signature = NULL WHERE name = 'old'").update();

        TestApi.Response r = alice.post("/api/v1/jobs", "{\"app\":\"old@1.0.0\",\"params\":{\"workUnits\":[{}]}}");

        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.json().get("detail").asString()).contains("deployed unsigned");
    }

    private void assertRefused(TestApi.Response r, String field, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").toString()).contains(field).contains(detail);
        assertThat(jdbc.sql("SELECT count(*) FROM app_name WHERE name = 'refused'").query(Long.class).single())
                .isZero();
    }
}
