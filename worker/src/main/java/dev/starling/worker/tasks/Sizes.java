package dev.starling.worker.tasks;

/** Byte counts in words. */
final class Sizes {
    private static final long MIB = 1 << 20;

    private Sizes() {}

    static String format(long bytes) {
        if (bytes >= MIB && bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
