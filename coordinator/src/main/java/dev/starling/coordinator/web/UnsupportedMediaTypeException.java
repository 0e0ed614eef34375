package dev.starling.coordinator.web;

/** The request's body comes in a form this endpoint does not take (415). */
public class UnsupportedMediaTypeException extends RuntimeException {
    public UnsupportedMediaTypeException(String message) {
        super(message);
    }
}
