package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static dev.starling.worker.testing.WasmModules.c;
import static dev.starling.worker.testing.WasmModules.workUnit;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.KeyAnnouncement;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import dev.starling.wasm.signing.TrustedKeys;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerFixture;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker given the project's key ({@code --app-key}) runs the primes sample built from C only when its task's
 * signature verifies for what it is about to run; otherwise the task fails saying why, nothing of the module runs, and
 * the worker goes on with its next tasks. A key the project's key announced signs too.
 */
class SignedAppsWorkerTest {
    private static final KeyPair PROJECT = SigningKeys.generate();
    private static final KeyPair OTHER = SigningKeys.generate();
    private static final String APP = "primes@1.0.0";

    @TempDir
    Path workDir;

    @RegisterExtension
    final WorkerFixture fixture = new WorkerFixture(() -> workDir);

    byte[] primes;

    @BeforeEach
    void start() {
        primes = c("primes");
        fixture.start(w -> w.appKeys(new TrustedKeys(List.of(PROJECT.getPublic().getEncoded()))));
    }

    private FakeCoordinator coordinator() {
        return fixture.coordinator();
    }

    /** The fields the project signed: those of {@code unit}, bitwise validation, credit 1. */
    private static SignedFields fields(String app, WasmWorkUnit unit) {
        int at = app.indexOf('@');
        return new SignedFields(app.substring(0, at), app.substring(at + 1), unit.getModule(),
                unit.getLimits().getMemoryMib(), unit.getLimits().getMaxCpuSeconds(),
                unit.getLimits().getMaxOutputBytes(), unit.getLimits().getMaxScratchBytes(),
                !unit.getNondeterministic(), "bitwise", 0, 0, 1.0);
    }

    private static AppSignature signature(KeyPair key, SignedFields fields, KeyAnnouncement... chain) {
        return AppSignature.newBuilder()
                .setSignature(ByteString.copyFrom(SigningKeys.sign(key.getPrivate(), fields.payload())))
                .addAllChain(List.of(chain)).setValidationKind("bitwise").setCreditPerWorkUnit(1.0).build();
    }

    private long offer(String app, WasmWorkUnit unit, AppSignature signature) {
        coordinator().seed().holding(primes);
        return signature == null
                ? coordinator().offer(app, unit.toByteArray(), coordinator().source(primes, true))
                : coordinator().offer(app, unit.toByteArray(), signature, coordinator().source(primes, true));
    }

    private TaskResult resultOf(long task) {
        until(() -> coordinator().accepted().containsKey(task));
        return coordinator().accepted().get(task);
    }

    private static String refusal(TaskResult result) {
        assertThat(result.hasFailure()).as(result.toString()).isTrue();
        assertThat(result.getFailure().getKind()).isEqualTo(Failure.Kind.COMPUTE_ERROR);
        return result.getFailure().getMessage();
    }

    private static String stdout(TaskResult result) throws Exception {
        assertThat(result.hasSuccess()).as(result.toString()).isTrue();
        return WasmOutput.parseFrom(result.getSuccess().getOutput()).getStdout().toStringUtf8();
    }

    /** The worker goes on: a signed module's task and a built-in app's after the refused one both succeed. */
    private void goesOn() throws Exception {
        WasmWorkUnit unit = workUnit(primes, 16, 60, "0", "100").build();
        long signed = offer(APP, unit, signature(PROJECT, fields(APP, unit)));
        long builtIn = coordinator().offer("echo:still here");
        assertThat(stdout(resultOf(signed))).isEqualTo("25");
        assertThat(resultOf(builtIn).getSuccess().getOutput().toStringUtf8()).isEqualTo("still here");
    }

    @Test
    void aModuleSignedWithTheProjectsKeyRuns() throws Exception {
        WasmWorkUnit unit = workUnit(primes, 16, 60, "0", "100").build();

        assertThat(stdout(resultOf(offer(APP, unit, signature(PROJECT, fields(APP, unit)))))).isEqualTo("25");
    }

    @Test
    void anUnsignedModuleIsRefusedSayingSo() throws Exception {
        WasmWorkUnit unit = workUnit(primes, 16, 60, "0", "100").build();

        assertThat(refusal(resultOf(offer(APP, unit, null)))).contains("refused to run " + APP).contains("not signed");
        goesOn();
    }

    @Test
    void aModuleSignedWithAnotherKeyIsRefused() throws Exception {
        WasmWorkUnit unit = workUnit(primes, 16, 60, "0", "100").build();

        assertThat(refusal(resultOf(offer(APP, unit, signature(OTHER, fields(APP, unit))))))
                .contains("does not verify");
        goesOn();
    }

    @Test
    void aCoordinatorCannotLoosenLimitsSwapTheModuleOrRenameTheVersion() throws Exception {
        WasmWorkUnit signed = workUnit(primes, 16, 60, "0", "100").build();
        AppSignature signature = signature(PROJECT, fields(APP, signed));
        byte[] other = c("probe");

        long looser = offer(APP, signed.toBuilder().setLimits(signed.getLimits().toBuilder().setMaxCpuSeconds(86400))
                .build(), signature);
        long swapped = offer(APP, workUnit(other, 16, 60, "0", "100").build(), signature);
        long renamed = offer("primes@2.0.0", signed, signature);
        long moreCredit = offer(APP, signed, signature.toBuilder().setCreditPerWorkUnit(2).build());

        for (long task : List.of(looser, swapped, renamed, moreCredit)) {
            assertThat(refusal(resultOf(task))).contains("does not verify");
        }
        goesOn();
    }

    @Test
    void aKeyAnnouncedByTheProjectsKeySignsAndASelfAnnouncedOneDoesNot() throws Exception {
        KeyPair rotated = SigningKeys.generate();
        byte[] key = rotated.getPublic().getEncoded();
        KeyAnnouncement byProject = KeyAnnouncement.newBuilder().setPublicKey(ByteString.copyFrom(key))
                .setSignature(ByteString.copyFrom(SigningKeys.sign(PROJECT.getPrivate(),
                        SigningKeys.announcementPayload(key)))).build();
        KeyAnnouncement byItself = byProject.toBuilder().setSignature(ByteString.copyFrom(SigningKeys.sign(
                rotated.getPrivate(), SigningKeys.announcementPayload(key)))).build();
        WasmWorkUnit unit = workUnit(primes, 16, 60, "0", "100").build();

        long announced = offer(APP, unit, signature(rotated, fields(APP, unit), byProject));
        long selfAnnounced = offer(APP, unit, signature(rotated, fields(APP, unit), byItself));

        assertThat(stdout(resultOf(announced))).isEqualTo("25");
        assertThat(refusal(resultOf(selfAnnounced))).contains("not signed by a trusted key");
    }

    @Test
    void builtInAppsNeedNoSignature() {
        assertThat(resultOf(coordinator().offer(TestApp.NAME, "echo:built in")).getSuccess().getOutput()
                .toStringUtf8()).isEqualTo("built in");
    }
}
