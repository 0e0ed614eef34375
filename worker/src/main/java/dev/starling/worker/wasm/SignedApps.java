package dev.starling.worker.wasm;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmLimits;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.TrustedKeys;

/**
 * The worker's check of a deployed app's signature (docs/architecture.md, "Signed apps"): with the project's keys
 * given out of band ({@code --app-key}), a deployed task runs only when {@code Task.app_signature} verifies, by a
 * trusted key or one a trusted key announced, for the very fields the worker is about to run with: the name and
 * version of {@code Task.app}, the module, limits and determinism of its {@link WasmWorkUnit}. So a coordinator or
 * database that was broken into cannot make the worker run a module the project did not sign, nor a signed one with
 * looser limits or under another version's name. Without keys, every deployed task runs, as before.
 */
public final class SignedApps {
    private final TrustedKeys trusted;

    public SignedApps(TrustedKeys trusted) {
        this.trusted = trusted;
    }

    /** Whether tasks are checked at all (the worker was given the project's keys). */
    public boolean checks() {
        return !trusted.isEmpty();
    }

    /** Why the deployed task must not run, or null when it may (or nothing is checked). */
    public String problem(Task task) {
        if (trusted.isEmpty()) {
            return null;
        }
        String app = task.getApp();
        int at = app.indexOf('@');
        WasmWorkUnit unit;
        try {
            unit = WasmWorkUnit.parseFrom(task.getInput());
        } catch (InvalidProtocolBufferException e) {
            return "the input is not a WasmWorkUnit: " + e.getMessage();
        }
        if (!task.hasAppSignature()) {
            return trusted.problem(fields(app, at, unit, AppSignature.getDefaultInstance()), null);
        }
        AppSignature s = task.getAppSignature();
        return trusted.problem(fields(app, at, unit, s), new TrustedKeys.Signature(s.getSignature().toByteArray(),
                s.getChainList().stream().map(a -> new TrustedKeys.Announcement(a.getPublicKey().toByteArray(),
                        a.getSignature().toByteArray())).toList()));
    }

    private static SignedFields fields(String app, int at, WasmWorkUnit unit, AppSignature s) {
        WasmLimits l = unit.getLimits();
        return new SignedFields(app.substring(0, at), app.substring(at + 1), unit.getModule(),
                Integer.toUnsignedLong(l.getMemoryMib()), Integer.toUnsignedLong(l.getMaxCpuSeconds()),
                l.getMaxOutputBytes(), l.getMaxScratchBytes(), !unit.getNondeterministic(), s.getValidationKind(),
                s.getRelTolerance(), s.getAbsTolerance(), s.getCreditPerWorkUnit());
    }
}
