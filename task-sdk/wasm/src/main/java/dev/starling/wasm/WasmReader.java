package dev.starling.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the WebAssembly binary format: LEB128 numbers, names and bytes, with a position that tells where a malformed
 * module went wrong. {@link ModuleCheck} and {@link YieldInstrumentation} read modules with it; encoding helpers for
 * the latter are here too.
 */
final class WasmReader {
    private final byte[] bytes;
    private int position;
    private final int end;

    WasmReader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    WasmReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    int position() {
        return position;
    }

    boolean atEnd() {
        return position >= end;
    }

    int end() {
        return end;
    }

    byte[] bytes() {
        return bytes;
    }

    int u8() {
        if (position >= end) {
            throw new Malformed("unexpected end of the module at byte " + position + " (is it truncated?)");
        }
        return bytes[position++] & 0xFF;
    }

    void skip(int count) {
        if (count < 0 || count > end - position) {
            throw new Malformed("unexpected end of the module at byte " + position + " (is it truncated?)");
        }
        position += count;
    }

    /** An unsigned LEB128 number of at most 32 bits. */
    int u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (result > 0xFFFF_FFFFL) {
                    break;
                }
                return (int) result;
            }
        }
        throw new Malformed("a number too large at byte " + position);
    }

    /** A signed LEB128 number of at most {@code bits} bits, skipped (its value is not needed). */
    void skipSigned(int bits) {
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; i < maxBytes; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw new Malformed("a number too large at byte " + position);
    }

    String name() {
        int length = u32();
        int start = position;
        skip(length);
        return new String(bytes, start, length, StandardCharsets.UTF_8);
    }

    /** Thrown for bytes that are not a well-formed module; its message says where. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    static void writeU32(ByteArrayOutputStream out, long value) {
        long x = value & 0xFFFF_FFFFL;
        do {
            int b = (int) (x & 0x7F);
            x >>>= 7;
            out.write(x == 0 ? b : b | 0x80);
        } while (x != 0);
    }

    static void writeS32(ByteArrayOutputStream out, int value) {
        long x = value;
        while (true) {
            int b = (int) (x & 0x7F);
            x >>= 7;
            boolean done = (x == 0 && (b & 0x40) == 0) || (x == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) {
                return;
            }
        }
    }

    static void writeName(ByteArrayOutputStream out, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        writeU32(out, utf8.length);
        out.writeBytes(utf8);
    }
}
