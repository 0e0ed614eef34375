package dev.starling.worker.status;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running worker tells {@code starling worker status}: who it is, whether the coordinator answers, whether
 * its tasks compute or why not, each task held with its progress, results today and credit, and the settings it runs
 * with that are not its defaults, with where each came from. It travels over the
 * status socket as a properties text, so that an older or newer {@code status} command reads what it knows.
 *
 * @param lastAnswer when the coordinator last answered; empty before it ever did
 * @param failure why calls to the coordinator fail now; empty while it answers
 * @param update what the coordinator said to install, when this worker is old; empty when it is current
 * @param noWork why the coordinator's last answer to a request for work held no task, in its words and code; empty
 *     when it held some, or the coordinator did not say
 * @param credit the host's credit as the coordinator last said; NaN before it did
 * @param wasmMemoryMiB the memory WebAssembly tasks may hold together ({@code --wasm-memory}); 0: none
 * @param wasmInUseMiB what the WebAssembly tasks computing now hold of it
 * @param suspended why tasks do not compute (or start) now; empty while they do
 * @param unreported results waiting to be reported
 * @param cpuLimitPercent the CPU limit in force now: {@code --cpu-limit} while the computer is in use,
 *     {@code --cpu-limit-idle} while it is idle
 * @param settings the settings not at their defaults
 * @param machine the computer as the worker last looked at it
 */
public record Status(Instant at, String version, String name, long hostId, String coordinator,
        Optional<Instant> lastAnswer, Optional<String> failure, Optional<String> update, Optional<String> noWork,
        double credit, int cores, int cpuLimitPercent, int wasmMemoryMiB, int wasmInUseMiB, Optional<String> suspended,
        boolean networkOpen, long reportedToday, int unreported, List<TaskLine> tasks, List<SettingLine> settings,
        Machine machine) {

    /**
     * The computer as the worker last looked at it.
     *
     * @param inUse why the computer counts as in use; empty while it is idle
     * @param userSeen whether the worker can see keyboard and mouse use at all
     * @param celsius the CPU's temperature; NaN where it cannot be read
     * @param temperatureSource where the temperature is read from, or why it cannot be
     * @param maxCpuTempCelsius the temperature above which tasks pause ({@code --max-cpu-temp}); 0: never
     * @param newInstall what a new install whose gentle settings are in force tells its volunteer; empty for others
     */
    public record Machine(Optional<String> inUse, boolean userSeen, double celsius, String temperatureSource,
            int maxCpuTempCelsius, Optional<String> newInstall) {
        /** Before the worker first looked. */
        public static final Machine NOT_YET = new Machine(Optional.empty(), true, Double.NaN, "not read yet", 0,
                Optional.empty());
    }

    /** One task the worker holds. */
    public record TaskLine(long resultId, String app, long jobId, double progress, State state) {}

    /** One setting not at its default: its name and value as the config file writes them, and where it came from. */
    public record SettingLine(String name, String value, String source) {}

    /** Where a held task is. */
    public enum State {
        /** computing on a core (or paused there while suspended) */
        COMPUTING,
        /** fetching its inputs, or waiting for a core or for memory */
        WAITING
    }

    public Status {
        tasks = List.copyOf(tasks);
        settings = List.copyOf(settings);
    }

    public String toText() {
        Properties p = new Properties();
        p.setProperty("format", "1");
        p.setProperty("at", at.toString());
        p.setProperty("version", version);
        p.setProperty("name", name);
        p.setProperty("host.id", Long.toString(hostId));
        p.setProperty("coordinator", coordinator);
        lastAnswer.ifPresent(t -> p.setProperty("coordinator.last-answer", t.toString()));
        failure.ifPresent(f -> p.setProperty("coordinator.failure", f));
        update.ifPresent(u -> p.setProperty("coordinator.update", u));
        noWork.ifPresent(w -> p.setProperty("coordinator.no-work", w));
        if (!Double.isNaN(credit)) {
            p.setProperty("credit", Double.toString(credit));
        }
        p.setProperty("cores", Integer.toString(cores));
        p.setProperty("cpu-limit", Integer.toString(cpuLimitPercent));
        p.setProperty("wasm-memory", Integer.toString(wasmMemoryMiB));
        p.setProperty("wasm-memory.in-use", Integer.toString(wasmInUseMiB));
        suspended.ifPresent(s -> p.setProperty("suspended", s));
        p.setProperty("network.open", Boolean.toString(networkOpen));
        p.setProperty("results.today", Long.toString(reportedToday));
        p.setProperty("results.unreported", Integer.toString(unreported));
        p.setProperty("tasks", Integer.toString(tasks.size()));
        for (int i = 0; i < tasks.size(); i++) {
            TaskLine t = tasks.get(i);
            String k = "task." + i + ".";
            p.setProperty(k + "id", Long.toString(t.resultId()));
            p.setProperty(k + "app", t.app());
            p.setProperty(k + "job", Long.toString(t.jobId()));
            p.setProperty(k + "progress", Double.toString(t.progress()));
            p.setProperty(k + "state", t.state().name());
        }
        machine.inUse().ifPresent(u -> p.setProperty("machine.in-use", u));
        p.setProperty("machine.user-seen", Boolean.toString(machine.userSeen()));
        if (!Double.isNaN(machine.celsius())) {
            p.setProperty("temperature", Double.toString(machine.celsius()));
        }
        p.setProperty("temperature.source", machine.temperatureSource());
        p.setProperty("temperature.limit", Integer.toString(machine.maxCpuTempCelsius()));
        machine.newInstall().ifPresent(n -> p.setProperty("new-install", n));
        p.setProperty("settings", Integer.toString(settings.size()));
        for (int i = 0; i < settings.size(); i++) {
            SettingLine s = settings.get(i);
            String k = "setting." + i + ".";
            p.setProperty(k + "name", s.name());
            p.setProperty(k + "value", s.value());
            p.setProperty(k + "source", s.source());
        }
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * Reads what {@link #toText} wrote.
     *
     * @throws IllegalArgumentException when the text is not a worker's status
     */
    public static Status fromText(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
            if (!"1".equals(p.getProperty("format"))) {
                throw new IllegalArgumentException("not a worker status (format " + p.getProperty("format") + ")");
            }
            int count = Integer.parseInt(p.getProperty("tasks", "0"));
            List<TaskLine> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String k = "task." + i + ".";
                tasks.add(new TaskLine(Long.parseLong(p.getProperty(k + "id")), p.getProperty(k + "app", "?"),
                        Long.parseLong(p.getProperty(k + "job", "0")),
                        Double.parseDouble(p.getProperty(k + "progress", "0")),
                        State.valueOf(p.getProperty(k + "state", "WAITING"))));
            }
            List<SettingLine> settings = new ArrayList<>();
            for (int i = 0, n = Integer.parseInt(p.getProperty("settings", "0")); i < n; i++) {
                String k = "setting." + i + ".";
                settings.add(new SettingLine(p.getProperty(k + "name", "?"), p.getProperty(k + "value", "?"),
                        p.getProperty(k + "source", "?")));
            }
            String credit = p.getProperty("credit");
            String celsius = p.getProperty("temperature");
            Machine machine = new Machine(Optional.ofNullable(p.getProperty("machine.in-use")),
                    Boolean.parseBoolean(p.getProperty("machine.user-seen", "true")),
                    celsius == null ? Double.NaN : Double.parseDouble(celsius),
                    p.getProperty("temperature.source", "not told (an older worker)"),
                    Integer.parseInt(p.getProperty("temperature.limit", "0")),
                    Optional.ofNullable(p.getProperty("new-install")));
            return new Status(Instant.parse(p.getProperty("at")), p.getProperty("version", "?"),
                    p.getProperty("name", "?"), Long.parseLong(p.getProperty("host.id", "0")),
                    p.getProperty("coordinator", "?"),
                    Optional.ofNullable(p.getProperty("coordinator.last-answer")).map(Instant::parse),
                    Optional.ofNullable(p.getProperty("coordinator.failure")),
                    Optional.ofNullable(p.getProperty("coordinator.update")),
                    Optional.ofNullable(p.getProperty("coordinator.no-work")),
                    credit == null ? Double.NaN : Double.parseDouble(credit),
                    Integer.parseInt(p.getProperty("cores", "0")), Integer.parseInt(p.getProperty("cpu-limit", "100")),
                    Integer.parseInt(p.getProperty("wasm-memory", "0")),
                    Integer.parseInt(p.getProperty("wasm-memory.in-use", "0")),
                    Optional.ofNullable(p.getProperty("suspended")),
                    Boolean.parseBoolean(p.getProperty("network.open", "true")),
                    Long.parseLong(p.getProperty("results.today", "0")),
                    Integer.parseInt(p.getProperty("results.unreported", "0")), tasks, settings, machine);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the worker's status could not be read: " + e.getMessage(), e);
        }
    }
}
