package dev.starling.worker.config;

import java.util.Objects;

/**
 * One setting that something other than the defaults chose: its name (the option's, without its dashes, as the config
 * file writes it), its value as it was written there (never a secret: the account key's is {@link #HIDDEN}), and
 * where it came from.
 */
public record Setting(String name, String value, Source source) {
    /** What stands for a value that must not be shown. */
    public static final String HIDDEN = "(hidden)";

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
    }
}
