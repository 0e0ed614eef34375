package dev.starling.worker.tasks;

import dev.starling.worker.config.Tuning;

/** Byte counts in words. */
final class Sizes {
    private Sizes() {}

    static String format(long bytes) {
        if (bytes >= Tuning.MIB && bytes % Tuning.MIB == 0) {
            return bytes / Tuning.MIB + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
