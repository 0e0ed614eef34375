package dev.starling.swarm;

/** What the exit status of {@code starling swarm} and {@code starling bench} means. */
public final class ExitCodes {
    /** the run finished and every check passed */
    public static final int OK = 0;
    /** a check failed, there were errors, or the run could not go on: stderr says why */
    public static final int FAILED = 1;
    /** the command line is wrong, or a tool the bench needs is missing: stderr says how to fix it */
    public static final int INVALID_INPUT = 2;

    private ExitCodes() {}
}
