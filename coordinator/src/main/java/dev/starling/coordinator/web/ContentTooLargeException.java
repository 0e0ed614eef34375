package dev.starling.coordinator.web;

/** The request's body is larger than this endpoint accepts (413). */
public class ContentTooLargeException extends RuntimeException {
    public ContentTooLargeException(String message) {
        super(message);
    }
}
