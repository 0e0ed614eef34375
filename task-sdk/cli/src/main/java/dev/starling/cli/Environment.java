package dev.starling.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the commands use besides their arguments and the {@code out}/{@code err} writers: in-process tests give their
 * own, the real command line gives the process's.
 *
 * @param variables the environment variables ({@code STARLING_API_URL}, {@code STARLING_API_KEY}, {@code COLUMNS})
 * @param stdin standard input, as bytes ({@code app run --stdin -}, {@code job submit -})
 * @param stdout standard output, as bytes: a module's output and {@code job outputs} without {@code -o}. The
 *     {@code out} writer is flushed before it is written to.
 * @param interactive whether a person watches: {@code job watch} draws a progress bar instead of printing lines
 * @param configFile where the config file is looked for when {@code --config} is not given
 */
public record Environment(Map<String, String> variables, InputStream stdin, OutputStream stdout, boolean interactive,
        Path configFile) {

    public Environment {
        variables = Map.copyOf(variables);
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(configFile, "configFile");
    }

    /** This process's environment, standard streams and terminal. */
    public static Environment system() {
        Map<String, String> env = System.getenv();
        return new Environment(env, System.in, System.out, isInteractive(env),
                defaultConfigFile(env, System.getProperty("os.name"), System.getProperty("user.home")));
    }

    /**
     * Where the config file lives unless {@code --config} says otherwise: the user's config folder, as each platform
     * names it (beside the worker's {@code worker.properties}).
     */
    static Path defaultConfigFile(Map<String, String> env, String osName, String userHome) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String appData = env.get("APPDATA");
            Path base = appData != null && !appData.isBlank() ? Path.of(appData) : Path.of(userHome, "AppData", "Roaming");
            return base.resolve("Starling").resolve("cli.properties");
        }
        if (os.startsWith("mac")) {
            return Path.of(userHome, "Library", "Application Support", "Starling", "cli.properties");
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(userHome, ".config");
        return base.resolve("starling").resolve("cli.properties");
    }

    /** Whether this process runs in an interactive terminal (not piped, not under a CI runner's log). */
    private static boolean isInteractive(Map<String, String> env) {
        var console = System.console();
        if (console == null || "dumb".equals(env.get("TERM"))) {
            return false;
        }
        try { // Java 22+: a console may exist with redirected streams; it says whether it is a terminal
            Method isTerminal = console.getClass().getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: System.console() is null unless both ends are a terminal
        }
    }

    /** The terminal's width from {@code COLUMNS}, or 80. */
    int columns() {
        try {
            return Math.max(40, Integer.parseInt(variables.getOrDefault("COLUMNS", "80").strip()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
