package dev.starling.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModuleCheckTest {
    private static final long LIMIT = ModuleCheck.DEFAULT_MAX_BYTES;

    private static void refused(byte[] module, String reason) {
        assertThatThrownBy(() -> ModuleCheck.check(module, LIMIT))
                .isInstanceOf(ModuleRefusedException.class)
                .hasMessageContaining(reason);
    }

    private static byte[] module(String body) {
        return TestModules.wat("(module " + body + ")");
    }

    private static final String COMMAND = "(memory (export \"memory\") 1) (func (export \"_start\"))";

    @Test
    void acceptsACommandImportingWasiAndStarling() {
        byte[] module = module("""
                (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                (import "starling" "checkpoint_due" (func (result i32)))
                (import "starling" "progress" (func (param f64)))""" + COMMAND);

        ModuleCheck.Report report = ModuleCheck.check(module, LIMIT);

        assertThat(report.imports()).containsExactly("wasi_snapshot_preview1.fd_write", "starling.checkpoint_due",
                "starling.progress");
        assertThat(report.initialMemoryPages()).isEqualTo(1);
        assertThat(report.sha256()).hasSize(64);
    }

    @Test
    void refusesWhatDoesNotParse() {
        byte[] good = module(COMMAND);
        refused(Arrays.copyOf(good, good.length - 3), "does not parse");
        refused(new byte[0], "does not parse");
        byte[] random = new byte[1000];
        new Random(7).nextBytes(random);
        refused(random, "does not parse");
        byte[] randomBody = Arrays.copyOf(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}, 200);
        new Random(8).ints(192, 0, 256).forEach(new java.util.function.IntConsumer() {
            int i = 8;

            @Override
            public void accept(int b) {
                randomBody[i++] = (byte) b;
            }
        });
        assertThatThrownBy(() -> ModuleCheck.check(randomBody, LIMIT)).isInstanceOf(ModuleRefusedException.class);
    }

    @Test
    void refusesAModuleOverTheSizeLimit() {
        assertThatThrownBy(() -> ModuleCheck.check(module(COMMAND), 10))
                .isInstanceOf(ModuleRefusedException.class).hasMessageContaining("more than the limit of 10 bytes");
    }

    @Test
    void refusesWhatIsNotACommand() {
        refused(module("(memory (export \"memory\") 1)"), "exports no _start");
        refused(module("(memory (export \"memory\") 1) (func (export \"_initialize\")) (func (export \"_start\"))"),
                "reactor");
        refused(module("(memory (export \"memory\") 1) (func (export \"_start\") (param i32))"),
                "no arguments and no result");
        refused(module("(memory 1) (func (export \"_start\"))"), "does not export its memory");
    }

    @Test
    void refusesImportsSandboxDoesNotProvide() {
        refused(module("(import \"env\" \"foo\" (func))" + COMMAND), "imports env.foo: only");
        refused(module("(import \"wasi_snapshot_preview1\" \"no_such_call\" (func))" + COMMAND),
                "which Starling does not provide");
        refused(module("(import \"wasi_snapshot_preview1\" \"sock_accept\" (func (param i32 i32 i32) (result i32)))"
                + COMMAND), "no network");
        refused(module("(import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32) (result i32)))" + COMMAND),
                "with the type");
        refused(module("(import \"starling\" \"__yield\" (func (result i32)))" + COMMAND),
                "which Starling does not provide");
        refused(module("(import \"env\" \"memory\" (memory 1)) (func (export \"_start\"))"), "a memory");
    }

    @Test
    void refusesFeaturesOutsideTheDeterministicAllowlist() {
        refused(TestModules.watAllFeatures("(module (memory (export \"memory\") 1 1 shared) (func (export \"_start\")))"),
                "shared");
        refused(TestModules.watAllFeatures("(module (memory (export \"memory\") 1) (func (export \"_start\")"
                + " (drop (i32.atomic.load (i32.const 0)))))"), "atomic");
        refused(TestModules.watAllFeatures("(module (memory (export \"memory\") 1) (func (export \"_start\")"
                + " (drop (v128.const i64x2 1 2))))"), "SIMD");
        refused(TestModules.watAllFeatures("(module (memory (export \"memory\") 1) (memory 1)"
                + " (func (export \"_start\")))"), "more than one memory");
        refused(TestModules.watAllFeatures("(module (memory (export \"memory\") 1) (tag) (func (export \"_start\")))"),
                "exception handling");
    }

    @Test
    void acceptsTheFeaturesClangUses() {
        ModuleCheck.check(module("""
                (memory (export "memory") 1)
                (table 1 funcref) (elem (i32.const 0) $f)
                (func $f (result i32 i32) (i32.const 1) (i32.const 2))
                (func (export "_start")
                  (memory.fill (i32.const 0) (i32.const 0) (i32.const 10))
                  (memory.copy (i32.const 0) (i32.const 5) (i32.const 5))
                  (drop (i32.extend8_s (i32.const 1)))
                  (drop (i32.trunc_sat_f64_s (f64.const 1e300)))
                  (drop (call_indirect (result i32 i32) (i32.const 0))) (drop))"""), LIMIT);
    }
}
