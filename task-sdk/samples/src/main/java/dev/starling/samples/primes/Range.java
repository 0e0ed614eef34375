package dev.starling.samples.primes;

import java.nio.ByteBuffer;

/**
 * The input of a primes work unit: the numbers [lo, hi), encoded as two big-endian longs.
 */
record Range(long lo, long hi) {
    static final int BYTES = 2 * Long.BYTES;

    Range {
        if (lo < 0 || lo >= hi) {
            throw new IllegalArgumentException("not a range of numbers >= 0: [" + lo + ", " + hi + ")");
        }
    }

    static Range decode(byte[] input) {
        if (input.length != BYTES) {
            throw new IllegalArgumentException("a primes work unit input is " + BYTES + " bytes, not " + input.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(input);
        return new Range(buffer.getLong(), buffer.getLong());
    }

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(lo).putLong(hi).array();
    }

    long length() {
        return hi - lo;
    }
}
