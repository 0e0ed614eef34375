package dev.starling.cli;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Modules for tests: C built by task-sdk/wasm/build-modules.sh into target/wasm, or WebAssembly text. */
final class TestModules {
    private TestModules() {}

    /**
     * A module built from C by the Maven build (profile wasm-toolchain): a sample of task-sdk/wasm-samples or one of
     * src/test/c. Without clang the test skips, unless STARLING_REQUIRE_WASM_TOOLCHAIN=1 (CI), where it fails.
     */
    static Path c(String name) {
        Path file = Path.of("target", "wasm", name + ".wasm").toAbsolutePath();
        if (!Files.exists(file)) {
            String message = file + " was not built: install clang, lld, wasi-libc and libclang-rt-14-dev-wasm32"
                    + " (Debian) and build again";
            if ("1".equals(System.getenv("STARLING_REQUIRE_WASM_TOOLCHAIN"))) {
                Assertions.fail(message + " (STARLING_REQUIRE_WASM_TOOLCHAIN=1)");
            }
            Assumptions.abort(message);
        }
        return file;
    }

    /** WebAssembly text compiled in pure Java, written to {@code dir/name.wasm}. */
    static Path wat(Path dir, String name, String text) {
        try {
            return Files.write(dir.resolve(name + ".wasm"), Wat2Wasm.parse(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A WASI command whose _start runs {@code body}. */
    static Path command(Path dir, String name, String body) {
        return wat(dir, name, """
                (module
                  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
                  (memory (export "memory") 1)
                  (func (export "_start") %s))
                """.formatted(body));
    }
}
