package dev.starling.samples.primes;

import java.util.Arrays;

/**
 * A segmented sieve of Eratosthenes over odd numbers: one byte per odd number, so a segment of
 * {@value #SEGMENT_BYTES} bytes covers 2^19 numbers and fits the L2 cache of most cores, where the
 * crossing out is fast. (A bit per odd number would be denser; a byte keeps the code plain.)
 */
final class Sieve {
    /** Bytes of one segment. */
    static final int SEGMENT_BYTES = 256 * 1024;
    /** How many numbers one segment covers. */
    static final long SEGMENT_SPAN = 2L * SEGMENT_BYTES;

    private Sieve() {}

    /** The bytes a segment needs to sieve a range of {@code span} numbers (at most one per odd number). */
    static int segmentBytes(long span) {
        return (int) Math.min(SEGMENT_BYTES, (span + 1) / 2);
    }

    /** The odd primes up to {@code limit} (inclusive), ascending, by a plain sieve of Eratosthenes. */
    static int[] oddPrimesUpTo(int limit) {
        if (limit < 3) {
            return new int[0];
        }
        boolean[] composite = new boolean[limit + 1];
        int count = 0;
        for (int i = 3; i <= limit; i += 2) {
            if (!composite[i]) {
                count++;
                for (long j = (long) i * i; j <= limit; j += 2L * i) {
                    composite[(int) j] = true;
                }
            }
        }
        int[] primes = new int[count];
        for (int i = 3, k = 0; i <= limit; i += 2) {
            if (!composite[i]) {
                primes[k++] = i;
            }
        }
        return primes;
    }

    /** The largest r with r * r <= n, for 0 <= n < 2^62. */
    static long isqrt(long n) {
        long r = (long) Math.sqrt((double) n);
        while (r * r > n) {
            r--;
        }
        while ((r + 1) * (r + 1) <= n) {
            r++;
        }
        return r;
    }

    /**
     * Counts the primes in [lo, hi).
     *
     * @param basePrimes every odd prime up to {@code isqrt(hi - 1)}, ascending (more are ignored)
     * @param segment scratch space of (hi - lo + 1) / 2 bytes or more: one per odd number
     */
    static long countPrimes(long lo, long hi, int[] basePrimes, byte[] segment) {
        if ((hi - lo + 1) / 2 > segment.length) {
            throw new IllegalArgumentException("[" + lo + ", " + hi + ") needs more than " + segment.length + " bytes");
        }
        long count = lo <= 2 && 2 < hi ? 1 : 0;
        long first = Math.max(lo, 3) | 1; // the first odd number >= 3 in the range
        if (first >= hi) {
            return count;
        }
        // segment[j] stands for first + 2j; 1 marks a composite
        int size = (int) ((hi - first + 1) / 2);
        Arrays.fill(segment, 0, size, (byte) 0);
        for (int p : basePrimes) {
            long square = (long) p * p;
            if (square >= hi) {
                break;
            }
            // the first odd multiple of p that is >= first and >= p * p (smaller ones have a smaller factor)
            long multiple = Math.max(square, (first + p - 1) / p * p);
            if ((multiple & 1) == 0) {
                multiple += p;
            }
            // (multiple - first) / 2 < size + p, since p * p < hi: an int index cannot overflow
            for (int j = (int) ((multiple - first) >> 1); j < size; j += p) {
                segment[j] = 1;
            }
        }
        int composites = 0;
        for (int j = 0; j < size; j++) {
            composites += segment[j];
        }
        return count + size - composites;
    }
}
