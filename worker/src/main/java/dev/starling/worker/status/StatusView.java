package dev.starling.worker.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** {@link Status} as the volunteer reads it, in the terminal. */
public final class StatusView {
    private static final int BAR = 24;

    private StatusView() {}

    public static String render(Status s, Instant now) {
        StringBuilder out = new StringBuilder();
        out.append("Starling worker ").append(s.version()).append(" on ").append(s.name());
        if (s.hostId() > 0) {
            out.append(" (host ").append(s.hostId()).append(')');
        }
        out.append('\n');
        out.append("Coordinator  ").append(s.coordinator()).append(": ").append(reachability(s, now)).append('\n');
        s.update().ifPresent(u -> out.append("Update       ").append(u).append('\n'));
        out.append("Computing    ");
        if (s.suspended().isPresent()) {
            out.append("suspended: ").append(s.suspended().get());
        } else {
            out.append("yes, on ").append(s.cores()).append(s.cores() == 1 ? " core" : " cores");
            if (s.cpuLimitPercent() < 100) {
                out.append(" at ").append(s.cpuLimitPercent()).append("% CPU");
            }
            out.append(s.machine().inUse().map(why -> " (the computer is in use: " + why + ")")
                    .orElse(" (the computer is idle)"));
        }
        out.append('\n');
        work(s).ifPresent(why -> out.append("Work         ").append(why).append('\n'));
        s.machine().newInstall().ifPresent(advice -> out.append("Gently       ").append(advice).append('\n'));
        if (!s.machine().userSeen()) {
            out.append("Activity     keyboard and mouse cannot be seen here (no input devices, as under the systemd"
                    + " service): other programs' CPU use alone tells whether the computer is in use\n");
        }
        out.append("Temperature  ").append(temperature(s.machine())).append('\n');
        out.append("WebAssembly  ").append(s.wasmMemoryMiB() == 0 ? "none (--wasm-memory 0)"
                : s.wasmInUseMiB() + " of " + s.wasmMemoryMiB() + " MiB in use").append('\n');
        if (!s.networkOpen()) {
            out.append("Network      outside the network hours: transfers wait\n");
        }
        out.append("Results      ").append(s.reportedToday()).append(" reported today");
        if (s.unreported() > 0) {
            out.append(", ").append(s.unreported()).append(" waiting to be reported");
        }
        out.append('\n');
        out.append("Credit       ").append(Double.isNaN(s.credit()) ? "not known yet"
                : String.format(Locale.ROOT, "%.2f", s.credit())).append('\n');
        out.append("Tasks        ").append(s.tasks().isEmpty() ? "none held" : s.tasks().size() + " held").append('\n');
        for (Status.TaskLine t : s.tasks()) {
            out.append(line(t, s.suspended().isPresent())).append('\n');
        }
        out.append("Settings     ").append(s.settings().isEmpty() ? "all at their defaults" : "");
        String indent = "";
        for (Status.SettingLine setting : s.settings()) {
            out.append(indent).append(setting.name()).append(" = ").append(setting.value())
                    .append(" (").append(setting.source()).append(")\n");
            indent = " ".repeat(13);
        }
        if (!s.settings().isEmpty()) {
            out.append(indent).append("(the rest at their defaults)");
        }
        out.append('\n');
        return out.toString();
    }

    /**
     * Why no work comes: the worker's own reasons first (it asks for none outside the network hours, nor while its tasks
     * are suspended), then the coordinator's; empty while neither holds.
     */
    private static Optional<String> work(Status s) {
        if (!s.networkOpen()) {
            return Optional.of("not asked for outside the network hours");
        }
        if (s.suspended().isPresent()) {
            return Optional.of("not asked for while computing is suspended");
        }
        return s.noWork().map(why -> "none came: " + why);
    }

    private static String temperature(Status.Machine m) {
        String limit = m.maxCpuTempCelsius() > 0 ? "tasks pause above " + m.maxCpuTempCelsius() + " °C"
                : "tasks never pause for heat (--max-cpu-temp off)";
        if (Double.isNaN(m.celsius())) {
            return "CPU " + m.temperatureSource() + (m.maxCpuTempCelsius() > 0 ? "; tasks never pause for heat" : "");
        }
        return String.format(Locale.ROOT, "CPU %.0f °C (%s); %s", m.celsius(), m.temperatureSource(), limit);
    }

    /** One task as a line with a progress bar. */
    public static String line(Status.TaskLine t, boolean suspended) {
        String state = switch (t.state()) {
            case COMPUTING -> suspended ? "suspended" : "computing";
            case WAITING -> "waiting";
        };
        return String.format(Locale.ROOT, "  %-10s %-14s job %-6d %s %3.0f%%  %s", "#" + t.resultId(),
                truncate(t.app(), 14), t.jobId(), bar(t.progress()), 100 * t.progress(), state);
    }

    static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }

    private static String reachability(Status s, Instant now) {
        if (s.failure().isPresent()) {
            return "not reachable: " + s.failure().get()
                    + s.lastAnswer().map(t -> " (last answer " + ago(t, now) + ")").orElse("");
        }
        return s.lastAnswer().map(t -> "reachable (last answer " + ago(t, now) + ")").orElse("not reached yet");
    }

    private static String ago(Instant then, Instant now) {
        long seconds = Math.max(0, Duration.between(then, now).toSeconds());
        if (seconds < 120) {
            return seconds + " s ago";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min ago";
        }
        return seconds / 3600 + " h ago";
    }

    private static String truncate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "~";
    }
}
