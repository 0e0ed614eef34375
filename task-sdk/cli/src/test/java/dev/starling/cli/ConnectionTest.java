package dev.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which coordinator and key a command uses: the flag, else the environment variable, else the config file. */
class ConnectionTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private Connection.Resolved resolve(Connection connection) {
        Environment environment = new Environment(env, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), false, dir.resolve("cli.properties"));
        return connection.resolve(environment, warnings::add);
    }

    private Path configFile(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("cli.properties"), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheConfigFile() throws IOException {
        Path file = configFile("api-url = https://file.example.org\napi-key = sr_1_file\n");
        Connection connection = new Connection();

        assertThat(resolve(connection)).isEqualTo(new Connection.Resolved(java.net.URI.create("https://file.example.org/"),
                "the config file " + file, "sr_1_file", "the config file " + file));

        env.put("STARLING_API_URL", "http://env.example.org:8080/starling");
        env.put("STARLING_API_KEY", "sr_2_env");
        assertThat(resolve(connection)).isEqualTo(new Connection.Resolved(
                java.net.URI.create("http://env.example.org:8080/starling/"), "$STARLING_API_URL", "sr_2_env",
                "$STARLING_API_KEY"));

        connection.url = "http://flag.example.org";
        connection.key = "sr_3_flag";
        assertThat(resolve(connection)).isEqualTo(new Connection.Resolved(java.net.URI.create("http://flag.example.org/"),
                "--api-url", "sr_3_flag", "--api-key"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void withoutSettingsTheUrlIsLocalhostAndThereIsNoKey() {
        assertThat(resolve(new Connection())).isEqualTo(new Connection.Resolved(
                java.net.URI.create("http://localhost:8080/"), "the default", null, null));
    }

    @Test
    void aConfigFileNamedWithConfigMustExistAndHoldOnlyItsSettings() throws IOException {
        Connection named = new Connection();
        named.config = dir.resolve("elsewhere.properties");
        assertThatThrownBy(() -> resolve(named)).isInstanceOf(CliException.class)
                .hasMessage("the config file " + named.config + " does not exist");

        Path file = configFile("api-url = http://localhost:1\napi_key = sr_1_x\n");
        assertThatThrownBy(() -> resolve(new Connection())).isInstanceOf(CliException.class)
                .hasMessage("the config file " + file + " has an unknown setting 'api_key'; its settings are api-url and"
                        + " api-key");

        Files.write(file, new byte[] {'a', 'p', 'i', '-', 'k', 'e', 'y', '=', (byte) 0xff, (byte) 0xfe});
        assertThatThrownBy(() -> resolve(new Connection())).hasMessage("the config file " + file + " is not UTF-8 text");
    }

    @Test
    void aKeyOthersCanReadIsWarnedAbout() throws IOException {
        Path file = configFile("api-key = sr_1_x\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        resolve(new Connection());

        assertThat(warnings).containsExactly("warning: the config file " + file + " holds an API key that other users"
                + " can read; chmod 600 it");
    }

    @Test
    void aKeyWithSpacesOrControlCharactersIsRefused() {
        env.put("STARLING_API_KEY", "sr_1 x");

        assertThatThrownBy(() -> resolve(new Connection())).isInstanceOf(CliException.class)
                .hasMessage("the API key from $STARLING_API_KEY is not a key: printable ASCII without spaces expected");
    }

    @Test
    void theConfigFileLivesInTheUsersConfigFolder() {
        assertThat(Environment.defaultConfigFile(Map.of(), "Linux", "/home/ada"))
                .isEqualTo(Path.of("/home/ada/.config/starling/cli.properties"));
        assertThat(Environment.defaultConfigFile(Map.of("XDG_CONFIG_HOME", "/etc/xdg-ada"), "Linux", "/home/ada"))
                .isEqualTo(Path.of("/etc/xdg-ada/starling/cli.properties"));
        assertThat(Environment.defaultConfigFile(Map.of(), "Mac OS X", "/Users/ada"))
                .isEqualTo(Path.of("/Users/ada/Library/Application Support/Starling/cli.properties"));
    }
}
