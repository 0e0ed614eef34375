package dev.starling.coordinator.validation;

/** The coordinator's answer to one reported result. Whatever the status, the worker may forget the result. */
public record Ack(long resultId, Status status, String message) {
    public enum Status {
        /** stored, now or by an earlier report of the same result */
        ACCEPTED,
        /** no longer wanted (cancelled, already decided); nothing stored */
        NOT_NEEDED,
        /** not this host's task, or malformed; nothing stored (a malformed output counts as an error) */
        REJECTED
    }

    static Ack accepted(long id) {
        return new Ack(id, Status.ACCEPTED, "");
    }
}
