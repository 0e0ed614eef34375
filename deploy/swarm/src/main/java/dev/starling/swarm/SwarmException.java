package dev.starling.swarm;

/** A swarm run could not go on: the REST API refused the job or could not be reached, the job failed to split. */
public final class SwarmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SwarmException(String message) {
        super(message);
    }

    public SwarmException(String message, Throwable cause) {
        super(message, cause);
    }
}
