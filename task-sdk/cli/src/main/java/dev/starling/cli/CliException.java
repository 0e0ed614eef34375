package dev.starling.cli;

/**
 * A command ends with this exit code and this one-line message on stderr, after the command's name. Thrown where the
 * outcome is known; {@link StarlingCli} prints it and returns the code.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** An input file or value that is not what it should be: {@link ExitCodes#INVALID_INPUT}. */
    static CliException invalid(String message) {
        return new CliException(ExitCodes.INVALID_INPUT, message);
    }
}
