package dev.starling.worker.config;

import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.support.ByteSizes;
import dev.starling.worker.support.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The volunteer's account-wide preferences, set on the coordinator's web pages and sent with its answers, as a layer
 * of the worker's configuration ({@link Source#ACCOUNT}): over the defaults, under this machine's config file and
 * command line, which override only the settings they set explicitly. The coordinator checks the values; the worker
 * checks them again as it checks its own file, and skips one it cannot take (saying so) rather than stopping. A key
 * it does not know (from a newer coordinator) is ignored.
 */
public final class AccountLayer {
    /** Each account key, and the worker setting (its option's name, as the config file writes it) it stands for. */
    public static final Map<String, String> OPTIONS = Map.of(
            "cores", "cores",
            "cpuLimit", "cpu-limit",
            "cpuLimitIdle", "cpu-limit-idle",
            "idleOnly", "idle-only",
            "computeHours", "compute-hours",
            "networkHours", "network-hours",
            "memoryLimit", "memory-limit",
            "diskLimit", "disk-limit",
            "workBuffer", "work-buffer");

    /**
     * The configuration with the account's layer.
     *
     * @param applied the settings the account now gives, as the config file writes them, by option name
     * @param skipped why a value the account gives is not taken, by option name
     */
    public record Layered(WorkerConfig config, Map<String, String> applied, Map<String, String> skipped) {}

    private AccountLayer() {}

    /**
     * Lays {@code account} (key to value, as the coordinator sends them) over {@code own}, the configuration from the
     * defaults, the config file and the command line alone.
     */
    public static Layered apply(WorkerConfig own, Map<String, String> account) {
        // a new install's gentle defaults are defaults: the account's values go over them
        Set<String> explicit = own.settings().stream()
                .filter(s -> s.source() != Source.DEFAULT && s.source() != Source.NEW_INSTALL)
                .map(Setting::name).collect(Collectors.toSet());
        Preferences.Builder preferences = own.preferences().toBuilder();
        int cores = own.cores();
        Map<String, String> applied = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(account).entrySet()) {
            String option = OPTIONS.get(e.getKey());
            if (option == null || explicit.contains(option)) {
                continue; // unknown to this worker, or set on this machine, which wins
            }
            String value = e.getValue();
            try {
                switch (option) {
                    case "cores" -> cores = Cores.parse(value, Defaults.cores());
                    case "cpu-limit" -> preferences.cpuLimitPercent(Percent.parse("--cpu-limit", value));
                    case "idle-only" -> preferences.idleOnly(Boolean.parseBoolean(value));
                    case "compute-hours" -> preferences.computeHours(TimeWindows.parse(value));
                    case "network-hours" -> preferences.networkHours(TimeWindows.parse(value));
                    case "memory-limit" -> preferences.memoryLimitBytes(
                            Preferences.atLeast64M("--memory-limit", ByteSizes.parse(value)));
                    case "work-buffer" -> preferences.workBuffer(Durations.parse(value));
                    case "disk-limit" -> {
                        // the journal's share, as WorkerMain works it out; the cache's is fixed at start
                        long disk = Preferences.atLeast64M("--disk-limit", ByteSizes.parse(value));
                        preferences.journalBytes(disk - Math.min(own.dataPlane().cacheBytes(), disk / 10 * 9));
                    }
                    case "cpu-limit-idle" -> preferences.cpuLimitIdlePercent(Percent.parse("--cpu-limit-idle", value));
                    default -> throw new IllegalStateException("no account setting " + option);
                }
                applied.put(option, value);
            } catch (IllegalArgumentException ex) {
                skipped.put(option, ex.getMessage());
            }
        }
        Preferences checked;
        try {
            checked = preferences.build();
        } catch (IllegalArgumentException ex) {
            return new Layered(own, Map.of(), Map.of("preferences", ex.getMessage()));
        }
        List<Setting> settings = new ArrayList<>(own.settings());
        applied.forEach((option, value) -> settings.add(new Setting(option, value, Source.ACCOUNT)));
        return new Layered(own.with(cores, checked, settings), applied, skipped);
    }
}
