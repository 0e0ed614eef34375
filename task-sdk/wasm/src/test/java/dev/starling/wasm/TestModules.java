package dev.starling.wasm;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Modules for tests: WebAssembly text compiled in pure Java, or C built by build-modules.sh into target/wasm. */
final class TestModules {
    private TestModules() {}

    static byte[] wat(String text) {
        return Wat2Wasm.parse(text);
    }

    /** With Debian's wat2wasm and every proposal it knows, for modules that must be refused for using one. */
    static byte[] watAllFeatures(String text) {
        try {
            Path dir = Files.createTempDirectory("wat");
            Path source = Files.writeString(dir.resolve("m.wat"), text);
            Path target = dir.resolve("m.wasm");
            Process process = new ProcessBuilder("wat2wasm", "--enable-all", source.toString(), "-o",
                    target.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wat2wasm failed");
            }
            return Files.readAllBytes(target);
        } catch (IOException e) {
            toolMissing("wat2wasm (Debian's wabt) is needed for modules using proposals: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void toolMissing(String message) {
        if ("1".equals(System.getenv("STARLING_REQUIRE_WASM_TOOLCHAIN"))) {
            Assertions.fail(message + " (STARLING_REQUIRE_WASM_TOOLCHAIN=1)");
        }
        Assumptions.abort(message);
    }

    /**
     * A module built from C by the Maven build (profile wasm-toolchain). Without clang the test skips, unless
     * STARLING_REQUIRE_WASM_TOOLCHAIN=1 (CI), where it fails: CI must never skip these.
     */
    static byte[] c(String name) {
        Path file = Path.of("target", "wasm", name + ".wasm");
        if (!Files.exists(file)) {
            toolMissing(file + " was not built: install clang, lld, wasi-libc and libclang-rt-14-dev-wasm32"
                    + " (Debian) and build again");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A WASI command whose _start runs {@code body}, with fd_write and proc_exit imported and one page of memory. */
    static byte[] command(String body) {
        return wat("""
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 16) "hello\\n")
                  (func $print (param $at i32) (param $length i32)
                    (i32.store (i32.const 0) (local.get $at))
                    (i32.store (i32.const 4) (local.get $length))
                    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
                  (func $recurse (param i32) (result i32)
                    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
                  (func (export "_start") %s))
                """.formatted(body));
    }
}
