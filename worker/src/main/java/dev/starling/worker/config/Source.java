package dev.starling.worker.config;

/**
 * Where a setting's value came from. The sources are layers, lowest first: a value from a later one wins over an
 * earlier one's. A setting no layer gives keeps its {@link #DEFAULT}.
 */
public enum Source {
    /** the worker's own default ({@link Defaults}) */
    DEFAULT("default"),
    /** the gentler default of a new install, for how much of the machine it uses (until its volunteer says more) */
    NEW_INSTALL("new-install default"),
    /** an environment variable ({@code STARLING_ACCOUNT_KEY} for {@code --account-key}) */
    ENVIRONMENT("environment"),
    /**
     * the volunteer's account-wide preferences, set on the coordinator's web pages ({@link AccountLayer}): over the
     * defaults, under whatever this machine's config file and command line set explicitly
     */
    ACCOUNT("account"),
    /** this machine's config file */
    CONFIG_FILE("config file"),
    /** the command line */
    COMMAND_LINE("command line");

    private final String words;

    Source(String words) {
        this.words = words;
    }

    /** As {@code starling worker status} names it. */
    @Override
    public String toString() {
        return words;
    }
}
