package dev.starling.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options that say which coordinator to call and with which key, mixed into every command that calls the API.
 * Each value comes from its flag, else its environment variable, else the config file; the URL defaults to
 * {@value #DEFAULT_URL}. Where each came from is kept, so an error can say which setting to check.
 */
final class Connection {
    static final String URL_VARIABLE = "STARLING_API_URL";
    static final String KEY_VARIABLE = "STARLING_API_KEY";
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(names = "--api-url", paramLabel = "URL", order = 100,
            description = "The coordinator's REST address (default: $" + URL_VARIABLE + ", the config file's api-url,"
                    + " or " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", order = 101,
            description = "A researcher's API key (default: $" + KEY_VARIABLE + " or the config file's api-key;"
                    + " better there than here, where other users see it in ps).")
    String key;

    @Option(names = "--config", paramLabel = "FILE", order = 102,
            description = "The config file (default: ~/.config/starling/cli.properties).")
    Path config;

    /**
     * Where the coordinator is and who calls it, with where each came from ("--api-url", "$STARLING_API_URL", the
     * config file's path, "the default").
     *
     * @param key null when none was given
     */
    record Resolved(URI url, String urlSource, String key, String keySource) {}

    /** The API as these settings say, warnings (a config file others can read) on the command's stderr. */
    Api api(Environment env, CommandSpec spec) {
        return new Api(resolve(env, spec.commandLine().getErr()::println));
    }

    /** The settings, from the flags, then the environment, then the config file. */
    Resolved resolve(Environment env, Consumer<String> warnings) {
        Path file = config != null ? config : env.configFile();
        Map<String, String> settings = ConfigFile.read(file, config != null, warnings);
        String fileSource = "the config file " + file;
        String urlText;
        String urlSource;
        if (url != null) {
            urlText = url;
            urlSource = "--api-url";
        } else if (nonBlank(env.variables().get(URL_VARIABLE))) {
            urlText = env.variables().get(URL_VARIABLE).strip();
            urlSource = "$" + URL_VARIABLE;
        } else if (settings.containsKey(ConfigFile.API_URL)) {
            urlText = settings.get(ConfigFile.API_URL);
            urlSource = fileSource;
        } else {
            urlText = DEFAULT_URL;
            urlSource = "the default";
        }
        String keyText = null;
        String keySource = null;
        if (key != null) {
            keyText = key;
            keySource = "--api-key";
        } else if (nonBlank(env.variables().get(KEY_VARIABLE))) {
            keyText = env.variables().get(KEY_VARIABLE).strip();
            keySource = "$" + KEY_VARIABLE;
        } else if (settings.containsKey(ConfigFile.API_KEY)) {
            keyText = settings.get(ConfigFile.API_KEY);
            keySource = fileSource;
        }
        if (keyText != null && !keyText.matches("[\\x21-\\x7e]{1,512}")) {
            throw CliException.invalid("the API key from " + keySource + " is not a key: printable ASCII without"
                    + " spaces expected");
        }
        return new Resolved(baseUrl(urlText, urlSource), urlSource, keyText, keySource);
    }

    /** The coordinator's address as a base for the API's paths: http(s), a host, a path ending in '/'. */
    static URI baseUrl(String text, String source) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw CliException.invalid(source + " '" + text + "' is not a URL: " + e.getReason()
                    + "; write for example " + DEFAULT_URL);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw CliException.invalid(source + " '" + text + "' must be an http:// or https:// URL with a host,"
                    + " for example " + DEFAULT_URL);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw CliException.invalid(source + " '" + text + "' must be the coordinator's address only (no user,"
                    + " query or fragment), for example " + DEFAULT_URL);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return URI.create(scheme + "://" + uri.getRawAuthority() + (path.endsWith("/") ? path : path + "/"));
    }

    private static boolean nonBlank(String value) {
        return value != null && !value.isBlank();
    }
}
