package dev.starling.cli;

/**
 * What the exit status of {@code starling app|blob|job} means, so that scripts can tell a refused request from an
 * unreachable coordinator, and a failed job from a cancelled one. Stopped by a signal: 128 + its number.
 */
public final class ExitCodes {
    /** done as asked; {@code job watch}: the job SUCCEEDED; {@code app run}: the module exited with code 0 */
    public static final int OK = 0;
    /** something unexpected: a local file that cannot be written, a bug (stderr says what) */
    public static final int ERROR = 1;
    /** a wrong command line, or an input file that cannot be read or is not what it should be */
    public static final int INVALID_INPUT = 2;
    /** the coordinator refused the request (a 4xx answer; its problem's detail is on stderr) */
    public static final int REFUSED = 3;
    /** the coordinator could not be reached, did not answer in time, or failed (5xx): try again later */
    public static final int UNAVAILABLE = 4;
    /** {@code job watch}: the job FAILED; {@code app run}: the module exited with another code, trapped or could not run */
    public static final int FAILED = 10;
    /** {@code job watch}: the job was CANCELLED; {@code app run}: the task was cancelled */
    public static final int CANCELLED = 11;
    /** {@code app run}: the module went past a limit (memory, CPU time, output, scratch space) */
    public static final int LIMIT = 12;

    /** The table above, for the commands' help (picocli turns %n into line breaks). */
    static final String HELP = "Exit codes: 0 done (job SUCCEEDED, module exited 0), 1 unexpected error,%n"
            + "2 invalid command line or input file, 3 refused by the coordinator (4xx),%n"
            + "4 coordinator unreachable or failing (5xx), 10 job FAILED or module failed,%n"
            + "11 job CANCELLED or task cancelled, 12 module past a limit.";

    private ExitCodes() {}
}
