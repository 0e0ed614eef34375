package dev.starling.coordinator.web;

/** The thing a request names does not exist (404). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
