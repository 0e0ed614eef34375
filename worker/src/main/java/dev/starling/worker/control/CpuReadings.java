package dev.starling.worker.control;

import java.util.OptionalDouble;

/** How busy the rest of the machine is. */
public interface CpuReadings {
    /**
     * The share of the whole machine's CPU time (0 to 1) that processes other than this worker used since the
     * previous call; empty when it cannot be told (the first call, or no source on this platform).
     */
    OptionalDouble otherProcesses();
}
