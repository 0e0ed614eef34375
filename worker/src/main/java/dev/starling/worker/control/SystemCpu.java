package dev.starling.worker.control;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Reads how busy the rest of the machine is: on Linux from {@code /proc/stat} (the whole machine's busy and idle
 * time) minus this process's own CPU time; elsewhere from the JVM's {@code OperatingSystemMXBean} (the machine's
 * recent load minus this process's).
 */
public final class SystemCpu implements CpuReadings {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final Path procStat;
    private final LongSupplier processCpuNanos;
    private final LongSupplier nanoTime;
    private final com.sun.management.OperatingSystemMXBean os;
    private long lastBusy = -1;
    private long lastTotal;
    private long lastProcessCpu;
    private long lastWall;

    SystemCpu(Path procStat, LongSupplier processCpuNanos, LongSupplier nanoTime) {
        this.procStat = procStat;
        this.processCpuNanos = processCpuNanos;
        this.nanoTime = nanoTime;
        this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean b
                ? b : null;
    }

    public static SystemCpu create() {
        var bean = ManagementFactory.getOperatingSystemMXBean();
        LongSupplier own = bean instanceof com.sun.management.OperatingSystemMXBean os ? os::getProcessCpuTime : () -> -1;
        return new SystemCpu(PROC_STAT, own, System::nanoTime);
    }

    @Override
    public synchronized OptionalDouble otherProcesses() {
        OptionalDouble fromProc = fromProcStat();
        if (fromProc != null) {
            return fromProc;
        }
        if (os == null) {
            return OptionalDouble.empty();
        }
        double machine = os.getCpuLoad();
        double own = os.getProcessCpuLoad();
        return machine < 0 || own < 0 ? OptionalDouble.empty() : OptionalDouble.of(Math.max(0, machine - own));
    }

    /** The reading from /proc/stat, empty the first time; null when it cannot be read. */
    private OptionalDouble fromProcStat() {
        List<String> lines;
        try {
            lines = Files.readAllLines(procStat);
        } catch (IOException | SecurityException e) {
            return null;
        }
        long[] ticks = parse(lines);
        long ownCpu = processCpuNanos.getAsLong();
        if (ticks == null || ownCpu < 0) {
            return null;
        }
        long busy = ticks[0];
        long total = ticks[1];
        int processors = (int) ticks[2];
        long wall = nanoTime.getAsLong();
        OptionalDouble reading = OptionalDouble.empty();
        if (lastBusy >= 0 && total > lastTotal && wall > lastWall) {
            double machine = (double) (busy - lastBusy) / (total - lastTotal);
            double own = (double) (ownCpu - lastProcessCpu) / ((double) (wall - lastWall) * processors);
            reading = OptionalDouble.of(Math.max(0, Math.min(1, machine - own)));
        }
        lastBusy = busy;
        lastTotal = total;
        lastProcessCpu = ownCpu;
        lastWall = wall;
        return reading;
    }

    /** {busy ticks, total ticks, processors} of the machine, or null when the lines are not /proc/stat's. */
    static long[] parse(List<String> lines) {
        long[] result = null;
        int processors = 0;
        for (String line : lines) {
            if (line.startsWith("cpu ")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 5) {
                    return null;
                }
                long total = 0;
                long idle = 0;
                // user nice system idle iowait irq softirq steal (guest time is counted in user already)
                for (int i = 1; i < Math.min(fields.length, 9); i++) {
                    long value = Long.parseLong(fields[i]);
                    total += value;
                    if (i == 4 || i == 5) {
                        idle += value;
                    }
                }
                result = new long[] {total - idle, total, 0};
            } else if (line.startsWith("cpu")) {
                processors++;
            }
        }
        if (result != null) {
            result[2] = Math.max(1, processors);
        }
        return result;
    }
}
