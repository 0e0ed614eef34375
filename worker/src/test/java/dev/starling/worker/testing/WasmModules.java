package dev.starling.worker.testing;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.google.protobuf.ByteString;
import dev.starling.proto.v1.WasmInputFile;
import dev.starling.proto.v1.WasmLimits;
import dev.starling.proto.v1.WasmWorkUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * WebAssembly modules and work units for the worker's tests: the C samples and test modules the sandbox's build makes
 * with clang (task-sdk/wasm/build-modules.sh, into task-sdk/wasm/target/wasm), and WebAssembly text compiled in pure
 * Java. Without the toolchain a test needing it skips, unless STARLING_REQUIRE_WASM_TOOLCHAIN=1 (CI), where it fails.
 */
public final class WasmModules {
    private WasmModules() {}

    /** A module built from C: a sample (primes, nbody, squares) or the sandbox's probe. */
    public static byte[] c(String name) {
        Path file = Path.of("..", "task-sdk", "wasm", "target", "wasm", name + ".wasm");
        if (!Files.exists(file)) {
            String message = file + " was not built: install clang, lld, wasi-libc and libclang-rt-14-dev-wasm32"
                    + " (Debian) and build again";
            if ("1".equals(System.getenv("STARLING_REQUIRE_WASM_TOOLCHAIN"))) {
                Assertions.fail(message + " (STARLING_REQUIRE_WASM_TOOLCHAIN=1)");
            }
            Assumptions.abort(message);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] wat(String text) {
        return Wat2Wasm.parse(text);
    }

    /** A work unit of {@code module} with these arguments, within {@code memoryMiB} and {@code cpuSeconds}. */
    public static WasmWorkUnit.Builder workUnit(byte[] module, int memoryMiB, int cpuSeconds, String... args) {
        return WasmWorkUnit.newBuilder().setModule(TestBlobs.id(module)).addAllArgs(List.of(args))
                .setLimits(WasmLimits.newBuilder().setMemoryMib(memoryMiB).setMaxCpuSeconds(cpuSeconds)
                        .setMaxOutputBytes(4096).setMaxScratchBytes(1 << 20));
    }

    /** Adds a file under /input/. */
    public static WasmWorkUnit.Builder withFile(WasmWorkUnit.Builder unit, String name, byte[] content) {
        return unit.addFiles(WasmInputFile.newBuilder().setName(name).setBlobId(TestBlobs.id(content)));
    }

    public static ByteString text(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
