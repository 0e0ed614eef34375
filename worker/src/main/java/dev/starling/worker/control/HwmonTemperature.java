package dev.starling.worker.control;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPU's temperature as Linux tells it under {@code /sys/class}: the hottest of the CPU package sensors. Those are
 * the {@code hwmon} chips whose {@code name} is {@code coretemp} (Intel: the {@code Package id N} inputs, one per
 * socket), {@code k10temp} or {@code zenpower} (AMD: {@code Tdie} where there is one, else {@code Tctl}), or
 * {@code cpu_thermal} (Raspberry Pi and other ARM boards); else the thermal zones of type {@code x86_pkg_temp}. Not
 * {@code thermal_zone0} as such: on many machines that is the chipset, the battery or an ACPI guess. Each reading looks
 * again (a few small files once a second), so that a driver loaded later is found; a value out of -40 to 150 degrees
 * is a sensor that misreads, and is skipped.
 */
public final class HwmonTemperature implements CpuTemperature {
    private static final Path SYS_CLASS = Path.of("/sys/class");
    private static final Set<String> CPU_CHIPS = Set.of("coretemp", "k10temp", "zenpower", "cpu_thermal");
    private static final Pattern INPUT = Pattern.compile("temp(\\d+)_input");
    private static final double LOWEST = -40;
    private static final double HIGHEST = 150;

    private final Path root;

    /** @param root where {@code hwmon/} and {@code thermal/} are: {@code /sys/class}, or a test's fake tree */
    HwmonTemperature(Path root) {
        this.root = root;
    }

    /** This machine's; one that says it cannot be read where there is no {@code /sys/class}. */
    public static CpuTemperature create() {
        if (!Files.isDirectory(SYS_CLASS)) {
            return CpuTemperature.unknown("not readable on this system (the worker reads it on Linux only)");
        }
        return new HwmonTemperature(SYS_CLASS);
    }

    /** One sensor: its value in degrees and what it is. */
    private record Sensor(double celsius, String what) {}

    @Override
    public Reading read() {
        return hottest().map(s -> new Reading(OptionalDouble.of(s.celsius()), s.what()))
                .orElseGet(() -> new Reading(OptionalDouble.empty(), "not readable here: no CPU package sensor"
                        + " (coretemp, k10temp, zenpower, cpu_thermal) under " + root.resolve("hwmon")
                        + ", nor an x86_pkg_temp thermal zone"));
    }

    private Optional<Sensor> hottest() {
        List<Sensor> readings = new ArrayList<>();
        for (Path chip : entries(root.resolve("hwmon"))) {
            String name = text(chip.resolve("name")).orElse("");
            if (CPU_CHIPS.contains(name)) {
                readings.addAll(packageReadings(chip, name));
            }
        }
        if (readings.isEmpty()) {
            for (Path zone : entries(root.resolve("thermal"))) {
                if (zone.getFileName().toString().startsWith("thermal_zone")
                        && text(zone.resolve("type")).orElse("").equals("x86_pkg_temp")) {
                    millidegrees(zone.resolve("temp")).ifPresent(c -> readings.add(new Sensor(c,
                            "thermal zone " + zone.getFileName() + " (x86_pkg_temp)")));
                }
            }
        }
        return readings.stream().max((a, b) -> Double.compare(a.celsius(), b.celsius()));
    }

    /** The package sensors of one chip: those labelled as the package where the chip has them, else all of its. */
    private static List<Sensor> packageReadings(Path chip, String name) {
        List<Sensor> all = new ArrayList<>();
        for (Path file : entries(chip)) {
            Matcher m = INPUT.matcher(file.getFileName().toString());
            if (m.matches()) {
                String label = text(chip.resolve("temp" + m.group(1) + "_label")).orElse("temp" + m.group(1));
                millidegrees(file).ifPresent(c -> all.add(new Sensor(c, name + ": " + label)));
            }
        }
        List<String> preferred = switch (name) {
            case "coretemp" -> List.of("Package id");
            case "k10temp", "zenpower" -> List.of("Tdie", "Tctl");
            default -> List.of();
        };
        for (String label : preferred) {
            List<Sensor> chosen = all.stream().filter(r -> r.what().startsWith(name + ": " + label)).toList();
            if (!chosen.isEmpty()) {
                return chosen;
            }
        }
        return all;
    }

    private static List<Path> entries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException | SecurityException e) {
            // not there, or not ours to read: no sensor
        }
        entries.sort(null);
        return entries;
    }

    /** A sysfs value in thousandths of a degree, as degrees; empty when it is missing, unreadable or implausible. */
    private static OptionalDouble millidegrees(Path file) {
        try {
            double celsius = Long.parseLong(text(file).orElse("")) / 1000.0;
            return celsius >= LOWEST && celsius <= HIGHEST ? OptionalDouble.of(celsius) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** The first line of a small sysfs file, stripped; empty when it cannot be read. */
    private static Optional<String> text(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > 256) {
                return Optional.empty(); // not a sysfs attribute
            }
            String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
            int newline = s.indexOf('\n');
            return Optional.of(newline < 0 ? s : s.substring(0, newline).strip());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
