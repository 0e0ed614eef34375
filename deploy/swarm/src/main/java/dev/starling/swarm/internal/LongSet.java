package dev.starling.swarm.internal;

import java.util.Arrays;

/**
 * A set of longs in one open-addressing array (about 16 bytes per element at most), for the work unit ids
 * each simulated host has seen: a million of them cost megabytes, not the ~60 bytes each of a
 * {@code HashSet<Long>}. Not thread-safe: each host owns its own.
 */
final class LongSet {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] slots = newSlots(16);
    private int size;
    private boolean hasEmptyValue;

    /** Adds {@code value}; false when it was there already. */
    boolean add(long value) {
        if (value == EMPTY) {
            boolean added = !hasEmptyValue;
            hasEmptyValue = true;
            size += added ? 1 : 0;
            return added;
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = mix(value) & mask; ; i = (i + 1) & mask) {
            if (slots[i] == value) {
                return false;
            }
            if (slots[i] == EMPTY) {
                slots[i] = value;
                size++;
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = newSlots(old.length * 2);
        int mask = slots.length - 1;
        for (long value : old) {
            if (value != EMPTY) {
                int i = mix(value) & mask;
                while (slots[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                slots[i] = value;
            }
        }
    }

    private static long[] newSlots(int length) {
        long[] slots = new long[length];
        Arrays.fill(slots, EMPTY);
        return slots;
    }

    private static int mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
