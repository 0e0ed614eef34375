package dev.starling.worker.peer.cache;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Chunk bitfields as {@code Have} carries them and the cache keeps them on disk: bit i is bit {@code i % 8}
 * of byte {@code i / 8}, least significant first (which is {@link BitSet#toByteArray}'s order), padded
 * to {@code ceil(chunks / 8)} bytes.
 */
public final class Bitfields {
    private Bitfields() {}

    public static byte[] toBytes(BitSet bits, int chunks) {
        return Arrays.copyOf(bits.get(0, chunks).toByteArray(), byteCount(chunks));
    }

    public static ByteString toByteString(BitSet bits, int chunks) {
        return ByteString.copyFrom(toBytes(bits, chunks));
    }

    /** The bits of {@code bytes}, ignoring any beyond {@code chunks} (a peer's padding is not trusted). */
    public static BitSet fromBytes(byte[] bytes, int chunks) {
        return BitSet.valueOf(bytes).get(0, chunks);
    }

    public static BitSet fromBytes(ByteString bytes, int chunks) {
        return fromBytes(bytes.toByteArray(), chunks);
    }

    static int byteCount(int chunks) {
        return (chunks + 7) / 8;
    }

    /** The byte that holds bit {@code index}, as {@code bits} has it. */
    static byte byteAt(BitSet bits, int index) {
        int first = index / 8 * 8;
        byte[] bytes = bits.get(first, first + 8).toByteArray();
        return bytes.length == 0 ? 0 : bytes[0];
    }
}
