package dev.starling.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The command line's config file: a properties file with {@code api-url} and {@code api-key}, so a researcher need
 * not repeat them (or show the key in {@code ps}). A file that cannot be read, is not UTF-8 text or names another
 * setting is an error saying which file and what is wrong: a typo must not be silently ignored.
 */
final class ConfigFile {
    static final String API_URL = "api-url";
    static final String API_KEY = "api-key";
    private static final Set<String> SETTINGS = Set.of(API_URL, API_KEY);

    private ConfigFile() {}

    /**
     * The settings in {@code file}; none when it does not exist and {@code mustExist} is false (the default file).
     *
     * @param warnings told when the file holds an API key that other users of the machine can read
     */
    static Map<String, String> read(Path file, boolean mustExist, java.util.function.Consumer<String> warnings) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (!mustExist) {
                return Map.of();
            }
            throw CliException.invalid("the config file " + file + " does not exist");
        } catch (IOException e) {
            throw CliException.invalid("cannot read the config file " + file + ": " + LocalFiles.describe(e));
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString()));
        } catch (CharacterCodingException e) {
            throw CliException.invalid("the config file " + file + " is not UTF-8 text");
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.invalid("the config file " + file + " is damaged: " + e.getMessage());
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String name = key.strip();
            if (!SETTINGS.contains(name)) {
                throw CliException.invalid("the config file " + file + " has an unknown setting '" + key
                        + "'; its settings are " + API_URL + " and " + API_KEY);
            }
            String value = properties.getProperty(key).strip();
            if (!value.isEmpty()) {
                settings.put(name, value);
            }
        }
        if (settings.containsKey(API_KEY) && othersCanRead(file)) {
            warnings.accept("warning: the config file " + file + " holds an API key that other users can read;"
                    + " chmod 600 it");
        }
        return settings;
    }

    private static boolean othersCanRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // not a POSIX file system: its access rules are not ours to judge
        }
    }
}
