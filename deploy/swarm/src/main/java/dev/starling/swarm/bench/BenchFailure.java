package dev.starling.swarm.bench;

/** The bench cannot go on (the coordinator died, pgbench failed); the message says what happened. */
final class BenchFailure extends Exception {
    private static final long serialVersionUID = 1L;

    BenchFailure(String message) {
        super(message);
    }
}
