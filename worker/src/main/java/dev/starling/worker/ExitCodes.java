package dev.starling.worker;

/** What the worker's exit status means. */
public final class ExitCodes {
    /** stopped as asked */
    public static final int OK = 0;
    /** failed: the message on stderr says why */
    public static final int ERROR = 1;
    /** the command line is wrong: the message on stderr says how */
    public static final int INVALID_INPUT = 2;
    /**
     * the coordinator does not take this worker's protocol (too old, or newer than the coordinator): install the
     * release its message names; the systemd unit does not restart the worker after it
     */
    public static final int PROTOCOL_TOO_OLD = 3;
    /** the coordinator refuses this worker: a wrong or missing account key, or a banned host */
    public static final int REFUSED = 4;

    private ExitCodes() {}
}
