package dev.starling.coordinator.web;

/**
 * The call would take the researcher past a quota the admin set (403, problem type {@code quota-exceeded}, with the
 * quota's name, its limit, what is in use and what the call asked for).
 */
public class QuotaExceededException extends RuntimeException {
    private final String quota;
    private final long limit;
    private final long used;
    private final long requested;

    public QuotaExceededException(String quota, long limit, long used, long requested, String message) {
        super(message);
        this.quota = quota;
        this.limit = limit;
        this.used = used;
        this.requested = requested;
    }

    public String quota() {
        return quota;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }

    public long requested() {
        return requested;
    }
}
