package dev.starling.coordinator.app;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * WebAssembly modules for the coordinator's tests: WebAssembly text compiled in pure Java (Chicory's wat2wasm), text
 * using proposals compiled by Debian's wat2wasm, and the C samples the wasm module's build makes with clang
 * (task-sdk/wasm/build-modules.sh). Without the toolchain a test needing it skips, unless
 * STARLING_REQUIRE_WASM_TOOLCHAIN=1 (CI), where it fails.
 */
public final class WasmModules {
    private WasmModules() {}

    public static byte[] wat(String text) {
        return Wat2Wasm.parse(text);
    }

    /**
     * A WASI command that writes {@code stdout} and exits 0: one page of memory (64 KiB) unless {@code pages} says
     * otherwise.
     */
    public static byte[] command(String stdout, int pages) {
        String escaped = stdout.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return wat("""
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") %d)
                  (data (i32.const 16) "%s")
                  (func (export "_start")
                    (i32.store (i32.const 0) (i32.const 16))
                    (i32.store (i32.const 4) (i32.const %d))
                    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
                """.formatted(pages, escaped, stdout.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    public static byte[] command(String stdout) {
        return command(stdout, 1);
    }

    /** With Debian's wat2wasm and every proposal it knows, for modules that must be refused for using one. */
    public static byte[] watAllFeatures(String text) {
        try {
            Path dir = Files.createTempDirectory("wat");
            Path source = Files.writeString(dir.resolve("m.wat"), text);
            Path target = dir.resolve("m.wasm");
            Process process = new ProcessBuilder("wat2wasm", "--enable-all", source.toString(), "-o",
                    target.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wat2wasm failed on " + text);
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

    /** A C sample built by the wasm module's build (task-sdk/wasm/target/wasm/NAME.wasm). */
    public static byte[] c(String name) {
        Path file = Path.of("..", "task-sdk", "wasm", "target", "wasm", name + ".wasm");
        if (!Files.exists(file)) {
            toolMissing(file + " was not built: install clang, lld, wasi-libc and libclang-rt-14-dev-wasm32 (Debian)"
                    + " and build again");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void toolMissing(String message) {
        if ("1".equals(System.getenv("STARLING_REQUIRE_WASM_TOOLCHAIN"))) {
            Assertions.fail(message + " (STARLING_REQUIRE_WASM_TOOLCHAIN=1)");
        }
        Assumptions.abort(message);
    }
}
