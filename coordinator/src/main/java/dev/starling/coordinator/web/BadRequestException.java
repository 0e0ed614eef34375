package dev.starling.coordinator.web;

import java.util.List;
import java.util.stream.Collectors;

/** The request is invalid; {@link #errors()} names each offending field (400). */
public class BadRequestException extends RuntimeException {
    private final List<FieldError> errors;

    public BadRequestException(List<FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public BadRequestException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** One problem, by JSON path of the field ({@code params.from}, {@code redundancy.quorum}). */
    public record FieldError(String field, String message) {}
}
