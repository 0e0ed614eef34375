package dev.starling.wasm;

/**
 * Decodes one instruction of a function body at a time: its opcode and the length of its immediates. It knows the
 * instructions Starling runs (WebAssembly 1.0 with mutable globals, sign extension, non-trapping float-to-int,
 * bulk memory, reference types and multi-value) and refuses the rest by name, so that the deploy check and the
 * pause instrumentation read modules the same way.
 */
final class Instructions {
    static final int UNREACHABLE = 0x00;
    static final int BLOCK = 0x02;
    static final int LOOP = 0x03;
    static final int IF = 0x04;
    static final int ELSE = 0x05;
    static final int END = 0x0B;
    static final int CALL = 0x10;
    static final int REF_FUNC = 0xD2;
    static final int LOCAL_SET = 0x21;
    static final int LOCAL_GET = 0x20;
    static final int LOCAL_TEE = 0x22;
    static final int GLOBAL_GET = 0x23;
    static final int GLOBAL_SET = 0x24;
    static final int I32_CONST = 0x41;
    static final int I32_EQZ = 0x45;
    static final int I32_LE_S = 0x4C;
    static final int I32_SUB = 0x6B;
    static final int EMPTY_BLOCK = 0x40;

    private Instructions() {}

    /** An instruction outside the features Starling runs; the message names it in a researcher's words. */
    static final class UnsupportedFeature extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedFeature(String message) {
            super(message);
        }
    }

    /**
     * Reads one instruction (opcode and immediates) and returns its opcode; prefixed opcodes come back as
     * {@code prefix << 16 | subopcode}.
     */
    static int next(WasmReader in) {
        int opcode = in.u8();
        switch (opcode) {
            case 0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1 -> { }
            case 0x02, 0x03, 0x04 -> in.skipSigned(33); // block type: empty, a value type or a type index
            case 0x0C, 0x0D -> in.u32();
            case 0x0E -> {
                int count = in.u32();
                for (int i = 0; i <= count; i++) {
                    in.u32();
                }
            }
            case 0x10 -> in.u32();
            case 0x11 -> {
                in.u32();
                in.u32();
            }
            case 0x1C -> {
                int count = in.u32();
                for (int i = 0; i < count; i++) {
                    valueType(in);
                }
            }
            case 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26 -> in.u32();
            case 0x3F, 0x40 -> memoryIndex(in);
            case 0x41 -> in.skipSigned(32);
            case 0x42 -> in.skipSigned(64);
            case 0x43 -> in.skip(4);
            case 0x44 -> in.skip(8);
            case 0xD0 -> referenceType(in);
            case 0xD2 -> in.u32();
            case 0xFC -> {
                int sub = in.u32();
                switch (sub) {
                    case 0, 1, 2, 3, 4, 5, 6, 7 -> { }
                    case 8 -> {
                        in.u32();
                        memoryIndex(in);
                    }
                    case 9, 13, 15, 16, 17 -> in.u32();
                    case 10 -> {
                        memoryIndex(in);
                        memoryIndex(in);
                    }
                    case 11 -> memoryIndex(in);
                    case 12, 14 -> {
                        in.u32();
                        in.u32();
                    }
                    default -> throw new UnsupportedFeature("an unknown instruction 0xFC " + sub);
                }
                return 0xFC << 16 | sub;
            }
            case 0xFD -> throw new UnsupportedFeature("SIMD instructions (v128), which the worker's engine does not"
                    + " compile (and relaxed SIMD may differ between machines): build without -msimd128");
            case 0xFE -> throw new UnsupportedFeature("atomic instructions (the threads proposal): tasks run on one"
                    + " thread; build without -pthread and -matomics");
            case 0x06, 0x07, 0x08, 0x09, 0x18, 0x19, 0x1F -> throw new UnsupportedFeature(
                    "exception handling instructions: build C++ with -fno-exceptions");
            case 0x12, 0x13, 0x15 -> throw new UnsupportedFeature("tail calls: build without -mtail-call");
            case 0x14, 0xD3, 0xD4, 0xD5, 0xD6, 0xFB -> throw new UnsupportedFeature(
                    "garbage collection or typed function references (WasmGC)");
            default -> {
                if (opcode >= 0x28 && opcode <= 0x3E) {
                    int align = in.u32();
                    if ((align & 0x40) != 0) {
                        throw new UnsupportedFeature("more than one memory (multi-memory)");
                    }
                    in.u32();
                } else if (!(opcode >= 0x45 && opcode <= 0xC4)) {
                    throw new UnsupportedFeature(String.format("an unknown instruction 0x%02X", opcode));
                }
            }
        }
        return opcode;
    }

    private static void memoryIndex(WasmReader in) {
        if (in.u8() != 0) {
            throw new UnsupportedFeature("more than one memory (multi-memory)");
        }
    }

    static void valueType(WasmReader in) {
        int type = in.u8();
        switch (type) {
            case 0x7F, 0x7E, 0x7D, 0x7C, 0x70, 0x6F -> { }
            case 0x7B -> throw new UnsupportedFeature("SIMD values (v128): build without -msimd128");
            default -> throw new UnsupportedFeature(String.format("an unknown value type 0x%02X", type));
        }
    }

    static void referenceType(WasmReader in) {
        int type = in.u8();
        if (type != 0x70 && type != 0x6F) {
            throw new UnsupportedFeature(String.format("an unknown reference type 0x%02X", type));
        }
    }
}
