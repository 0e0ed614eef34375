package dev.starling.worker.control;

import java.util.OptionalDouble;

/** How hot the machine's CPU is, where that can be read. */
public interface CpuTemperature {
    /**
     * One reading.
     *
     * @param celsius the hottest CPU package now, in degrees Celsius; empty when it cannot be read
     * @param source where it comes from ({@code coretemp: Package id 0}), or why there is none, in words for
     *     {@code starling worker status}
     */
    record Reading(OptionalDouble celsius, String source) {}

    /** Reads the sensors now. */
    Reading read();

    /** A machine whose CPU temperature cannot be read, for {@code why}. */
    static CpuTemperature unknown(String why) {
        Reading none = new Reading(OptionalDouble.empty(), why);
        return () -> none;
    }
}
