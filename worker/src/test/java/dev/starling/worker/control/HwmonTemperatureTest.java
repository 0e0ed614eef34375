package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CPU's temperature read from a fake {@code /sys/class} tree, as sysfs lays it out. */
class HwmonTemperatureTest {
    @TempDir
    Path sys;

    /** Writes {@code value} and a newline, as sysfs shows an attribute, at {@code path} under the fake tree. */
    private void file(String path, String value) throws IOException {
        Path file = sys.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
    }

    private CpuTemperature.Reading read() {
        return new HwmonTemperature(sys).read();
    }

    @Test
    void theHottestIntelPackageCountsNotItsCoresNorOtherChips() throws IOException {
        file("hwmon/hwmon0/name", "acpitz"); // the ACPI zone: often not the CPU at all
        file("hwmon/hwmon0/temp1_input", "99000");
        file("hwmon/hwmon1/name", "coretemp");
        file("hwmon/hwmon1/temp1_label", "Package id 0");
        file("hwmon/hwmon1/temp1_input", "61000");
        file("hwmon/hwmon1/temp2_label", "Core 0");
        file("hwmon/hwmon1/temp2_input", "70000");
        file("hwmon/hwmon2/name", "coretemp");
        file("hwmon/hwmon2/temp1_label", "Package id 1");
        file("hwmon/hwmon2/temp1_input", "64500");

        assertThat(read()).isEqualTo(new CpuTemperature.Reading(OptionalDouble.of(64.5), "coretemp: Package id 1"));
    }

    @Test
    void anAmdDieIsReadFromTdieWhereThereIsOneElseTctl() throws IOException {
        file("hwmon/hwmon3/name", "k10temp");
        file("hwmon/hwmon3/temp1_label", "Tctl"); // on some parts Tdie plus an offset for the fans
        file("hwmon/hwmon3/temp1_input", "80000");
        file("hwmon/hwmon3/temp2_label", "Tdie");
        file("hwmon/hwmon3/temp2_input", "60000");
        file("hwmon/hwmon3/temp3_label", "Tccd1");
        file("hwmon/hwmon3/temp3_input", "72000");

        assertThat(read()).isEqualTo(new CpuTemperature.Reading(OptionalDouble.of(60.0), "k10temp: Tdie"));

        Files.delete(sys.resolve("hwmon/hwmon3/temp2_input"));
        assertThat(read()).isEqualTo(new CpuTemperature.Reading(OptionalDouble.of(80.0), "k10temp: Tctl"));
    }

    @Test
    void aChipWithoutLabelsCountsAllItsInputs() throws IOException {
        file("hwmon/hwmon0/name", "cpu_thermal"); // a Raspberry Pi
        file("hwmon/hwmon0/temp1_input", "48312");

        assertThat(read()).isEqualTo(new CpuTemperature.Reading(OptionalDouble.of(48.312), "cpu_thermal: temp1"));
    }

    @Test
    void withoutAnHwmonChipTheX86PackageThermalZoneCountsNotZoneZero() throws IOException {
        file("thermal/thermal_zone0/type", "acpitz");
        file("thermal/thermal_zone0/temp", "90000");
        file("thermal/thermal_zone1/type", "x86_pkg_temp");
        file("thermal/thermal_zone1/temp", "55000");

        assertThat(read()).isEqualTo(new CpuTemperature.Reading(OptionalDouble.of(55.0),
                "thermal zone thermal_zone1 (x86_pkg_temp)"));
    }

    @Test
    void misreadingSensorsAreSkippedAndWithoutAnyTheReadingSaysWhy() throws IOException {
        file("hwmon/hwmon0/name", "coretemp");
        file("hwmon/hwmon0/temp1_label", "Package id 0");
        file("hwmon/hwmon0/temp1_input", "255000"); // a sensor that misreads
        file("hwmon/hwmon0/temp2_label", "Package id 1");
        file("hwmon/hwmon0/temp2_input", "hot");
        file("hwmon/hwmon1/name", "nvme");
        file("hwmon/hwmon1/temp1_input", "40000");

        CpuTemperature.Reading reading = read();

        assertThat(reading.celsius()).isEmpty();
        assertThat(reading.source()).startsWith("not readable here: no CPU package sensor (coretemp, k10temp,")
                .contains(sys.resolve("hwmon").toString());
    }

    @Test
    void aMissingTreeIsNoSensor() {
        assertThat(new HwmonTemperature(sys.resolve("nothing")).read().celsius()).isEmpty();
    }
}
