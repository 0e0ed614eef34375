package dev.starling.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pause candidate not chosen for the Java worker, kept for a browser runner: the rewrite must stay correct. */
class YieldInstrumentationTest {
    private static final byte[] MODULE = TestModules.wat("""
            (module
              (import "env" "twice" (func $twice (param i32) (result i32)))
              (memory (export "memory") 1)
              (table 2 funcref) (elem (i32.const 0) $count $twice)
              (global $g (mut i32) (i32.const 0))
              (func $count (export "count") (param $n i32) (result i32) (local $i i32)
                (loop $next
                  (global.set $g (i32.add (global.get $g) (local.get $i)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
                (call $twice (global.get $g)))
              (func (export "viaTable") (param i32) (result i32)
                (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))))""");

    private static long call(byte[] module, String export, AtomicInteger yields) {
        var twice = new HostFunction("env", "twice", FunctionType.of(new ValType[] {ValType.I32},
                new ValType[] {ValType.I32}), (instance, args) -> new long[] {args[0] * 2});
        var yield = new HostFunction("starling", "__yield", FunctionType.returning(ValType.I32), (instance, args) -> {
            yields.incrementAndGet();
            return new long[] {1000};
        });
        var instance = Instance.builder(Parser.parse(module))
                .withImportValues(ImportValues.builder().addFunction(twice, yield).build()).build();
        return instance.export(export).apply(100_000)[0];
    }

    @Test
    void theRewrittenModuleComputesTheSameAndYields() {
        AtomicInteger yields = new AtomicInteger();
        byte[] rewritten = YieldInstrumentation.instrument(MODULE);

        assertThat(call(rewritten, "count", yields)).isEqualTo(call(MODULE, "count", new AtomicInteger()));
        assertThat(yields.get()).as("budget 1000, 4 instructions per iteration").isBetween(300, 500);
        assertThat(call(rewritten, "viaTable", new AtomicInteger()))
                .as("table entries and exports moved with the new import")
                .isEqualTo(call(MODULE, "viaTable", new AtomicInteger()));
    }
}
