package dev.starling.sdk;

import java.util.List;
import java.util.stream.Collectors;

/** A job's parameters are not acceptable; {@link #errors()} says which and why. */
public class InvalidParamsException extends RuntimeException {
    private final List<ParamError> errors;

    public InvalidParamsException(List<ParamError> errors) {
        super(errors.stream().map(e -> e.param() + " " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<ParamError> errors() {
        return errors;
    }
}
