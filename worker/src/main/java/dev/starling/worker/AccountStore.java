package dev.starling.worker;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volunteer's account preferences as the coordinator last sent them, kept in {@code account.properties} in the
 * work dir, so that a worker starts with them (the settings read only at start, such as the cores, take them then).
 * Written aside and renamed over the old file: a crash leaves the old preferences or the new ones. A file that cannot
 * be read counts as none: the coordinator sends them again at the first contact.
 */
final class AccountStore {
    private static final Logger log = LoggerFactory.getLogger(AccountStore.class);
    static final String FILE = "account.properties";

    private final Path file;

    AccountStore(Path workDir) {
        this.file = workDir.resolve(FILE);
    }

    /** The preferences kept; empty when there are none. */
    Map<String, String> load() {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            Map<String, String> prefs = new TreeMap<>();
            p.stringPropertyNames().forEach(k -> prefs.put(k, p.getProperty(k)));
            return prefs;
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Could not read your account's preferences from {} ({}); the coordinator sends them again", file,
                    e.getMessage());
            return Map.of();
        }
    }

    /** @throws UncheckedIOException when the file cannot be written */
    void save(Map<String, String> prefs) {
        Properties p = new Properties();
        p.putAll(prefs);
        try {
            StringWriter text = new StringWriter();
            p.store(text, "your account's preferences, as the coordinator last sent them (set them on its web pages)");
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
