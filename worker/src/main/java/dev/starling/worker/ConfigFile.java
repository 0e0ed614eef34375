package dev.starling.worker;

import dev.starling.worker.support.IoErrors;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * The worker's config file: a properties file whose keys are the command's long option names without the
 * dashes ({@code coordinator = host:9090}, {@code cores = 50%}, {@code no-serve = true}). Each setting is the
 * default of its option, so an option given on the command line wins, and an option added to the command
 * later can be set in the file without code of its own. The file is read once, when picocli first asks for a
 * default (after the options given on the command line, {@code --config} among them, were applied).
 *
 * <p>A file that cannot be read, is not UTF-8 text, is malformed or names a setting the command does not have
 * is a {@link ParameterException} saying which file and what is wrong: a typo must not be silently ignored.
 * The default file may be missing; a file named with {@code --config} must exist.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
    /** Options that make no sense in a file: they would choose the file itself, or print and exit. */
    static final Set<String> NOT_SETTINGS = Set.of("config", "help", "version");

    private final Path defaultFile;
    private Path chosen;
    private Map<String, String> settings;
    private Path loadedFrom;

    ConfigFile(Path defaultFile) {
        this.defaultFile = defaultFile;
    }

    /** Where the worker looks when no {@code --config} is given. */
    Path defaultFile() {
        return defaultFile;
    }

    /** The file named with {@code --config}; it must exist. */
    void choose(Path file) {
        chosen = file;
    }

    /** The file the settings came from, when one was read. */
    Optional<Path> file() {
        return Optional.ofNullable(loadedFrom);
    }

    /** The settings the file holds, by key (empty before it was read or when there is none). */
    Map<String, String> settings() {
        return settings == null ? Map.of() : settings;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String key = key(option);
        if (NOT_SETTINGS.contains(key)) {
            return null;
        }
        if (settings == null) {
            settings = load(arg.command());
        }
        return settings.get(key);
    }

    /** The option's longest name without its dashes: {@code --cache-size} is {@code cache-size}. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private Map<String, String> load(CommandSpec command) {
        Path file = chosen != null ? chosen : defaultFile;
        CommandLine cmd = command.root().commandLine();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (chosen == null) {
                return Map.of();
            }
            throw new ParameterException(cmd, "the config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ParameterException(cmd, "cannot read the config file " + file + ": " + IoErrors.describe(e));
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString()));
        } catch (CharacterCodingException e) {
            throw new ParameterException(cmd, "the config file " + file + " is damaged: it is not UTF-8 text."
                    + " Fix it or move it away (see docs/volunteer-guide.md for its settings)");
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(cmd, "the config file " + file + " is damaged: " + e.getMessage()
                    + ". Fix it or move it away (see docs/volunteer-guide.md for its settings)");
        }
        Map<String, String> loaded = new LinkedHashMap<>();
        Set<String> known = settingNames(command.root(), true); // test-only options may be set, not listed
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String name = key.strip();
            if (!known.contains(name)) {
                Set<String> listed = settingNames(command.root(), false);
                throw new ParameterException(cmd, "the config file " + file + " has an unknown setting '" + key + "'"
                        + suggestion(name, listed) + "; its settings are: " + String.join(", ", listed));
            }
            loaded.put(name, properties.getProperty(key).strip());
        }
        loadedFrom = file;
        return loaded;
    }

    /** Every option of the command and its subcommands that the file may set, in help order. */
    private static Set<String> settingNames(CommandSpec command, boolean withHidden) {
        Set<String> names = new LinkedHashSet<>();
        List<OptionSpec> options = command.options().stream().sorted(Comparator.comparingInt(OptionSpec::order)).toList();
        for (OptionSpec option : options) {
            String key = key(option);
            if (!NOT_SETTINGS.contains(key) && (withHidden || !option.hidden())) {
                names.add(key);
            }
        }
        command.subcommands().values().forEach(sub -> names.addAll(settingNames(sub.getCommandSpec(), withHidden)));
        return names;
    }

    /** " (did you mean 'cores'?)" when a known setting is close to the unknown one. */
    private static String suggestion(String unknown, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : known) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, unknown.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Where a worker's config file lives unless {@code --config} says otherwise: the user's config folder,
     * as each platform names it.
     */
    static Path defaultLocation(Map<String, String> env, String osName, String userHome) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String appData = env.get("APPDATA");
            Path base = appData != null && !appData.isBlank() ? Path.of(appData) : Path.of(userHome, "AppData", "Roaming");
            return base.resolve("Starling").resolve("worker.properties");
        }
        if (os.startsWith("mac")) {
            return Path.of(userHome, "Library", "Application Support", "Starling", "worker.properties");
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(userHome, ".config");
        return base.resolve("starling").resolve("worker.properties");
    }

    static Path defaultLocation() {
        return defaultLocation(System.getenv(), System.getProperty("os.name", ""), home());
    }

    /**
     * The user's home folder as a shell sees it: {@code $HOME} where it is set to an absolute path (so that
     * {@code HOME=/tmp/x starling worker}, {@code sudo -H} and the like are honoured), else Java's
     * {@code user.home} (the account database's). Windows has no {@code HOME}: {@code user.home} there.
     */
    static String home(Map<String, String> env, String osName, String userHome) {
        String home = env.get("HOME");
        boolean windows = osName.toLowerCase(Locale.ROOT).startsWith("windows");
        return !windows && home != null && home.startsWith("/") ? home : userHome;
    }

    static String home() {
        return home(System.getenv(), System.getProperty("os.name", ""), System.getProperty("user.home"));
    }

    /** The keys of {@code settings} that the file set and {@code args} did not override, for error messages. */
    static List<String> fromFile(Map<String, String> settings, String[] args) {
        return settings.keySet().stream()
                .filter(key -> Arrays.stream(args).noneMatch(a -> a.equals("--" + key) || a.startsWith("--" + key + "=")))
                .toList();
    }
}
