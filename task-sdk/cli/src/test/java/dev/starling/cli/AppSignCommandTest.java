package dev.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import dev.starling.wasm.signing.TrustedKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code starling app keygen}, {@code app sign} and {@code app sign-key}: the key files, and signatures that verify
 * for exactly the manifest's signed fields and the module, with the key that made them or one it announced.
 */
class AppSignCommandTest {
    static final String MANIFEST = """
            {"name":"collatz","version":"1.0.0","description":"not signed","limits":{"memoryMiB":64,
             "maxCpuSeconds":600,"maxOutputBytes":4096},"validation":{"kind":"numeric","relTolerance":1e-9},
             "credit":{"perWorkUnit":2}}""";

    @TempDir
    Path dir;

    private Cli cli;
    private Path module;
    private Path manifest;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(dir);
        module = Files.write(dir.resolve("app.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        manifest = Files.writeString(dir.resolve("app.json"), MANIFEST);
    }

    /** The fields of {@link #MANIFEST}, defaults filled in as the coordinator fills them. */
    private SignedFields fields() throws IOException {
        return new SignedFields("collatz", "1.0.0", ContentAddress.of(Files.readAllBytes(module)), 64, 600, 4096,
                64L << 20, true, "numeric", 1e-9, 0, 2.0);
    }

    private byte[] keygen(String name) {
        Cli.Result r = cli.run("app", "keygen", dir.resolve(name).toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        return SigningKeys.parsePublicKey(r.out().strip());
    }

    private static TrustedKeys.Signature signature(Path file) throws IOException {
        JsonNode json = LocalFiles.JSON.readTree(Files.readString(file));
        assertThat(json.get("format").asString()).isEqualTo("starling-app-signature-v1");
        List<TrustedKeys.Announcement> chain = new java.util.ArrayList<>();
        for (JsonNode a : json.get("chain")) {
            chain.add(new TrustedKeys.Announcement(Base64.getDecoder().decode(a.get("key").asString()),
                    Base64.getDecoder().decode(a.get("signature").asString())));
        }
        return new TrustedKeys.Signature(Base64.getDecoder().decode(json.get("signature").asString()), chain);
    }

    @Test
    void keygenWritesAPrivateKeyOnlyItsOwnerReadsAndPrintsThePublicKey() throws IOException {
        byte[] publicKey = keygen("project.key");

        Path key = dir.resolve("project.key");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(SigningKeys.parsePublicKey(Files.readString(dir.resolve("project.key.pub")))).isEqualTo(publicKey);
        Cli.Result again = cli.run("app", "keygen", key.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(again.err()).contains("exists already");
    }

    @Test
    void aSignatureVerifiesForTheManifestsFieldsAndNothingElse() throws IOException {
        byte[] publicKey = keygen("project.key");

        Cli.Result r = cli.run("app", "sign", module.toString(), "--manifest", manifest.toString(), "--key",
                dir.resolve("project.key").toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        Path file = dir.resolve("app.json.sig");
        assertThat(r.out().strip()).isEqualTo(file.toString());
        assertThat(r.err()).contains("signed collatz@1.0.0").contains("maxScratchBytes=67108864")
                .contains("relTolerance=1.0E-9");
        TrustedKeys trusted = new TrustedKeys(List.of(publicKey));
        assertThat(trusted.problem(fields(), signature(file))).isNull();
        SignedFields looser = new SignedFields("collatz", "1.0.0", fields().module(), 64, 6000, 4096, 64L << 20, true,
                "numeric", 1e-9, 0, 2.0);
        assertThat(trusted.problem(looser, signature(file))).contains("does not verify");
    }

    @Test
    void aRotatedKeySignsWithItsAnnouncement() throws IOException {
        byte[] first = keygen("project.key");
        keygen("next.key");
        Cli.Result announced = cli.run("app", "sign-key", dir.resolve("next.key.pub").toString(), "--key",
                dir.resolve("project.key").toString(), "-o", dir.resolve("next.announcement").toString());
        assertThat(announced.exitCode()).as(announced.err()).isEqualTo(ExitCodes.OK);

        Cli.Result r = cli.run("app", "sign", module.toString(), "--manifest", manifest.toString(), "--key",
                dir.resolve("next.key").toString(), "--chain", dir.resolve("next.announcement").toString(), "-o",
                dir.resolve("next.sig").toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(new TrustedKeys(List.of(first)).problem(fields(), signature(dir.resolve("next.sig")))).isNull();
    }

    @Test
    void aManifestLackingASignedFieldOrABadKeyIsInvalidInput() throws IOException {
        keygen("project.key");
        Path partial = Files.writeString(dir.resolve("partial.json"), "{\"name\":\"x\",\"version\":\"1.0.0\"}");

        Cli.Result noLimits = cli.run("app", "sign", module.toString(), "--manifest", partial.toString(), "--key",
                dir.resolve("project.key").toString());
        Cli.Result publicAsPrivate = cli.run("app", "sign", module.toString(), "--manifest", manifest.toString(),
                "--key", dir.resolve("project.key.pub").toString());

        assertThat(noLimits.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(noLimits.err()).contains("validation.kind");
        assertThat(publicAsPrivate.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(publicAsPrivate.err()).contains("not an Ed25519 private key");
        assertThat(dir.resolve("partial.json.sig")).doesNotExist();
    }
}
