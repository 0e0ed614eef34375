package dev.starling.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The check a module passes before it is deployed (on the coordinator) and again before a worker compiles it. It
 * parses and validates the module, never runs it. A module is refused, with a {@link ModuleRefusedException} saying
 * why, when it:
 * <ul>
 *   <li>does not parse or is not valid WebAssembly, or is larger than the size limit;</li>
 *   <li>is not a WASI command: no {@code _start() -> ()} export, or a reactor ({@code _initialize}), or no memory
 *       exported as {@code memory};</li>
 *   <li>imports anything but the functions of {@code wasi_snapshot_preview1} the sandbox implements (with their exact
 *       types; not the socket functions: tasks have no network) and of Starling's host module {@code starling}
 *       ({@code checkpoint_due}, {@code checkpoint_done}, {@code progress}; see {@code starling.h});</li>
 *   <li>uses a feature outside the deterministic ones Starling allows: WebAssembly 1.0 with mutable globals, sign
 *       extension, non-trapping float-to-int, bulk memory, reference types and multi-value are allowed; threads,
 *       shared memory and atomics, SIMD (relaxed SIMD included), exception handling, tail calls, WasmGC,
 *       memory64 and multi-memory are refused.</li>
 * </ul>
 *
 * <p>Why no SIMD: Chicory 1.7.5's compiler does not compile it (it would run 50-100 times slower, interpreted), and
 * relaxed SIMD is nondeterministic by design. Fixed-width SIMD is otherwise as deterministic as scalar floating point,
 * so it can be allowed once the engine compiles it. What stays nondeterministic in allowed code is the bit pattern of
 * a NaN produced by arithmetic (WebAssembly lets engines choose the sign and payload): outputs compared bitwise must
 * not print NaN payloads or raw bits of NaNs ({@code printf("%g")} prints {@code nan} whatever the payload, so text
 * output is safe); numeric validation compares NaN only with NaN.
 */
public final class ModuleCheck {
    /** The largest module accepted by default (an operator setting on the coordinator). */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final String WASI = "wasi_snapshot_preview1";
    public static final String STARLING = "starling";
    /** Starling's host functions and their types (the C declarations are in {@code starling.h}). */
    static final Map<String, FunctionType> STARLING_FUNCTIONS = Map.of(
            "checkpoint_due", FunctionType.returning(ValType.I32),
            "checkpoint_done", FunctionType.empty(),
            "progress", FunctionType.accepting(ValType.F64));
    private static final Map<String, FunctionType> WASI_FUNCTIONS = wasiFunctions();

    private ModuleCheck() {}

    /** What a module that passed the check imports and needs. */
    public record Report(String sha256, long size, List<String> imports, int initialMemoryPages) {
        public Report {
            imports = List.copyOf(imports);
        }
    }

    /**
     * Checks a module without running it.
     *
     * @throws ModuleRefusedException when Starling would not run it; the message says why
     */
    public static Report check(byte[] module, long maxBytes) {
        if (module.length > maxBytes) {
            throw new ModuleRefusedException("the module is " + module.length + " bytes, more than the limit of "
                    + maxBytes + " bytes");
        }
        try {
            YieldInstrumentation.features(module);
        } catch (WasmReader.Malformed e) {
            throw new ModuleRefusedException("the module does not parse as WebAssembly: " + e.getMessage());
        } catch (Instructions.UnsupportedFeature e) {
            throw new ModuleRefusedException("the module uses " + e.getMessage()
                    + "; Starling runs only features that give the same results on every machine");
        }
        WasmModule parsed;
        try {
            parsed = Parser.parse(module);
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ModuleRefusedException("the module is not valid WebAssembly: " + e.getMessage(), e);
        }
        List<String> imports = checkImports(parsed);
        checkExports(parsed);
        var memories = parsed.memorySection();
        if (memories.isEmpty() || memories.get().memoryCount() != 1) {
            throw new ModuleRefusedException("the module defines no memory (a WASI command has exactly one)");
        }
        int initialPages = memories.get().getMemory(0).limits().initialPages();
        return new Report(sha256(module), module.length, imports, initialPages);
    }

    private static List<String> checkImports(WasmModule parsed) {
        List<String> names = new ArrayList<>();
        var section = parsed.importSection();
        for (int i = 0; i < section.importCount(); i++) {
            Import imported = section.getImport(i);
            String name = imported.module() + "." + imported.name();
            if (imported.importType() != ExternalType.FUNCTION) {
                throw new ModuleRefusedException("the module imports " + name + ", a "
                        + imported.importType().name().toLowerCase(java.util.Locale.ROOT)
                        + ": only functions of " + WASI + " and " + STARLING + " can be imported");
            }
            Map<String, FunctionType> known = switch (imported.module()) {
                case WASI -> WASI_FUNCTIONS;
                case STARLING -> STARLING_FUNCTIONS;
                default -> throw new ModuleRefusedException("the module imports " + name + ": only " + WASI
                        + " (WASI preview 1) and " + STARLING + " (starling.h) can be imported");
            };
            if (imported.module().equals(WASI) && imported.name().startsWith("sock_")) {
                throw new ModuleRefusedException("the module imports " + name + ": tasks have no network");
            }
            FunctionType expected = known.get(imported.name());
            if (expected == null) {
                throw new ModuleRefusedException("the module imports " + name + ", which Starling does not provide");
            }
            FunctionType actual = parsed.typeSection().getType(((FunctionImport) imported).typeIndex());
            if (!actual.equals(expected)) {
                throw new ModuleRefusedException("the module imports " + name + " with the type " + actual
                        + ", but Starling provides " + expected);
            }
            names.add(name);
        }
        return names;
    }

    private static void checkExports(WasmModule parsed) {
        var exports = parsed.exportSection();
        Export start = null;
        boolean memory = false;
        for (int i = 0; i < exports.exportCount(); i++) {
            Export export = exports.getExport(i);
            switch (export.name()) {
                case "_start" -> start = export;
                case "_initialize" -> throw new ModuleRefusedException("the module is a WASI reactor (it exports"
                        + " _initialize): deploy a command (a main function; clang's default, without -mexec-model"
                        + "=reactor)");
                case "memory" -> memory = export.exportType() == ExternalType.MEMORY;
                default -> { }
            }
        }
        if (start == null || start.exportType() != ExternalType.FUNCTION) {
            throw new ModuleRefusedException("the module exports no _start function: it is not a WASI command"
                    + " (build a program with a main function, e.g. clang --target=wasm32-wasi)");
        }
        int imported = parsed.importSection().count(ExternalType.FUNCTION);
        int index = (int) start.index() - imported;
        FunctionType type = index < 0 ? null
                : parsed.typeSection().getType(parsed.functionSection().getFunctionType(index));
        if (type == null || !type.equals(FunctionType.empty())) {
            throw new ModuleRefusedException("the module's _start is not a function of no arguments and no result");
        }
        if (!memory) {
            throw new ModuleRefusedException("the module does not export its memory as \"memory\", as WASI needs");
        }
    }

    /** The functions of WASI preview 1 the sandbox provides, with their types, taken from Chicory's WASI. */
    private static Map<String, FunctionType> wasiFunctions() {
        Map<String, FunctionType> functions = new TreeMap<>();
        try (WasiPreview1 wasi = WasiPreview1.builder().build()) {
            for (HostFunction f : wasi.toHostFunctions()) {
                functions.put(f.name(), f.functionType());
            }
        }
        return Map.copyOf(functions);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
