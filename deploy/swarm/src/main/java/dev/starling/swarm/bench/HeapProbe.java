package dev.starling.swarm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator's live heap and resident set: {@code jcmd <pid> GC.run} (a full GC, so that "used" means live
 * data), then {@code jcmd <pid> GC.heap_info}, and {@code VmRSS} of {@code /proc/<pid>/status}.
 */
final class HeapProbe {
    /** A generation or heap summary line: {@code garbage-first heap   total reserved 524288K, committed ..., used 41234K}. */
    private static final Pattern TOTAL_LINE = Pattern.compile("^ ?(\\S[^\\[]*?)\\s+total\\b.*?\\bused (\\d+)([KMG])");
    private static final Pattern ZGC_LINE = Pattern.compile("^ ?ZHeap\\s+used (\\d+)([KMG])");
    private static final Pattern SHENANDOAH_USED = Pattern.compile("(\\d+)([KMG]) used");
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

    private final Path jcmd;
    private final long pid;

    HeapProbe(Path jcmd, long pid) {
        this.jcmd = jcmd;
        this.pid = pid;
    }

    /** Heap used after a full GC and the resident set, in MB (NaN where unknown). */
    record Sample(double heapUsedMb, double rssMb) {}

    Sample sample() throws BenchFailure {
        jcmd("GC.run");
        double heap = usedMb(jcmd("GC.heap_info"));
        double rss;
        try {
            rss = rssMb(Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            rss = Double.NaN;
        }
        return new Sample(heap, rss);
    }

    /** The heap's "used" figure in MB, summed over generations where the collector lists them; NaN if none found. */
    static double usedMb(String heapInfo) {
        double kb = 0;
        boolean found = false;
        boolean shenandoah = false;
        for (String line : heapInfo.split("\\R")) {
            Matcher total = TOTAL_LINE.matcher(line);
            Matcher z = ZGC_LINE.matcher(line);
            if (total.find() && !total.group(1).toLowerCase(java.util.Locale.ROOT).matches(".*(metaspace|class space).*")) {
                kb += kilobytes(total.group(2), total.group(3));
                found = true;
            } else if (z.find()) {
                kb += kilobytes(z.group(1), z.group(2));
                found = true;
            } else if (line.contains("Shenandoah Heap")) {
                shenandoah = true;
            } else if (shenandoah) {
                Matcher s = SHENANDOAH_USED.matcher(line);
                if (s.find()) {
                    kb += kilobytes(s.group(1), s.group(2));
                    found = true;
                    shenandoah = false;
                }
            }
        }
        return found ? kb / 1024 : Double.NaN;
    }

    static double rssMb(String procStatus) {
        Matcher m = VM_RSS.matcher(procStatus);
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    private static double kilobytes(String amount, String unit) {
        long n = Long.parseLong(amount);
        return switch (unit) {
            case "G" -> n * 1024.0 * 1024;
            case "M" -> n * 1024.0;
            default -> n;
        };
    }

    private String jcmd(String command) throws BenchFailure {
        try {
            Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                    .redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new BenchFailure("jcmd " + pid + " " + command + " failed: " + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchFailure("could not run jcmd: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("jcmd was interrupted");
        }
    }
}
