package dev.starling.worker.control;

import java.util.function.LongSupplier;

/**
 * What the worker reads about the machine to share it politely: other programs' CPU use, the last keyboard or
 * mouse input, the memory its tasks hold, the CPU's temperature. Tests give readings of their own.
 */
public record Sensors(CpuReadings cpu, UserActivity user, LongSupplier heapInUse, CpuTemperature temperature) {

    /** Readings without a temperature. */
    public Sensors(CpuReadings cpu, UserActivity user, LongSupplier heapInUse) {
        this(cpu, user, heapInUse, CpuTemperature.unknown("not read (no sensor given)"));
    }

    /** This machine's. */
    public static Sensors system() {
        return new Sensors(SystemCpu.create(), TerminalActivity.create(), HeapUse::afterLastCollection,
                HwmonTemperature.create());
    }
}
