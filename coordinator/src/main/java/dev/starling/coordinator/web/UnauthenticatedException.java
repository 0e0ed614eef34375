package dev.starling.coordinator.web;

/** The call needs credentials the caller did not give (401); the message says which. */
public class UnauthenticatedException extends RuntimeException {
    public UnauthenticatedException(String message) {
        super(message);
    }
}
