package dev.starling.coordinator.web;

import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.Batcher;
import dev.starling.coordinator.support.RetryHints;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.Transactions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The one place where exceptions become HTTP answers: RFC 9457 problem details, with a {@code detail}
 * a person can act on and, for invalid fields, an {@code errors} list naming each field. Those Spring makes
 * (404, 405, 406, 415, ...) get the house's type and title too ({@link ErrorAnswers#complete}). On the dashboard's
 * paths, errors no dashboard controller handled (an unknown page, a method a page does not take) are left to the
 * error page: see {@link ErrorAnswers#isPage}.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    private final Admission admission;

    ProblemAdvice(Admission admission) {
        this.admission = admission;
    }

    @ExceptionHandler
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unauthenticated(UnauthenticatedException e) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"starling\"")
                .body(problem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", e.getMessage()));
    }

    @ExceptionHandler
    ProblemDetail forbidden(ForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail quotaExceeded(QuotaExceededException e) {
        ProblemDetail p = problem(HttpStatus.FORBIDDEN, "quota-exceeded", "Quota exceeded", e.getMessage());
        p.setProperty("quota", e.quota());
        p.setProperty("limit", e.limit());
        p.setProperty("used", e.used());
        p.setProperty("requested", e.requested());
        return p;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> tooMany(TooManyRequestsException e) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, AdmissionFilter.retryAfterSeconds(e.retryAfter()))
                .body(problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", "Too many requests", e.getMessage()));
    }

    @ExceptionHandler
    ProblemDetail conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail badRequest(BadRequestException e) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e.getMessage());
        p.setProperty("errors", e.errors());
        return p;
    }

    @ExceptionHandler
    ProblemDetail tooLarge(ContentTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "content-too-large", "Content too large", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail unsupportedMediaType(UnsupportedMediaTypeException e) {
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> busy(OverloadedException e) {
        return busy(e.getMessage(), e.retryAfter());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> stopping(Batcher.StoppedException e) {
        return busy("The coordinator is shutting down; retry.", admission.retryAfter());
    }

    /**
     * The worker protocol's refusals where it is spoken over HTTP (the browser facade): the status of its code, its
     * description as the detail, and the code itself as {@code code}.
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        HttpStatus status = switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case FAILED_PRECONDITION -> HttpStatus.PRECONDITION_FAILED;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
            log.error("A worker protocol call over HTTP failed: {}", e.getStatus());
        }
        String detail = e.getStatus().getDescription();
        ProblemDetail p = ErrorAnswers.problem(status, detail == null || status == HttpStatus.INTERNAL_SERVER_ERROR
                ? ErrorAnswers.FAILED : detail);
        p.setProperty("code", code.name());
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            answer.header(HttpHeaders.RETRY_AFTER, AdmissionFilter.retryAfterSeconds(
                    RetryHints.retryAfter(e).orElse(admission.retryAfter())));
        }
        if (status == HttpStatus.UNAUTHORIZED) {
            answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"starling\"");
        }
        return answer.body(p);
    }

    /**
     * A database that cannot serve right now (no connection free, down) is a 503 to retry; text PostgreSQL cannot
     * store (U+0000), which only a client sends, a 400; anything else a 500.
     */
    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    ResponseEntity<ProblemDetail> database(RuntimeException e) {
        if (Transactions.databaseUnavailable(e)) {
            log.warn("Database unavailable: {}", e.toString());
            return busy(AdmissionFilter.DATABASE_UNAVAILABLE, admission.retryAfter());
        }
        if (Transactions.refusedText(e)) {
            return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "invalid-text", "Invalid text",
                    "The request holds a NUL character (U+0000), which cannot be stored; nothing was changed"));
        }
        return ResponseEntity.internalServerError().body(unexpected(e));
    }

    private static ResponseEntity<ProblemDetail> busy(String detail, java.time.Duration retryAfter) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, AdmissionFilter.retryAfterSeconds(retryAfter))
                .body(ErrorAnswers.busy(detail));
    }

    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", ErrorAnswers.FAILED);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body",
                "The request body is not valid JSON for this endpoint");
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof DatabindException de && !de.getPath().isEmpty()) {
            String field = de.getPath().stream()
                    .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            fieldProblem(p, field, fieldMessage(de));
        } else if (cause instanceof InputCoercionException ic && ic.processor() instanceof JsonParser parser
                && !parser.streamReadContext().inRoot()) {
            // a whole number too large for the field, such as 1e20 for priority (the parser knows where it was)
            fieldProblem(p, field(parser.streamReadContext()), "is out of range");
        } else if (cause instanceof MismatchedInputException m && m.getCurrentToken() != null) {
            // well-formed JSON of another kind than the endpoint takes, such as [] or 42 for a JSON object
            p.setDetail("The request body must be " + describe(m.getTargetType()) + ", got " + describe(m.getCurrentToken()));
        } else if (cause instanceof JacksonException je) {
            var where = je.getLocation();
            p.setDetail("The request body is not well-formed JSON"
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
        } else if (e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")) {
            p.setDetail("The request needs a JSON body");
        }
        return ResponseEntity.badRequest().body(p);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        String described = describe(e.getRequiredType());
        String message = (described.equals("a whole number") && String.valueOf(e.getValue()).matches("-?\\d+")
                ? "is out of range" : "must be " + described) + ", got '" + e.getValue() + "'";
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", name + ": " + message);
        p.setProperty("errors", List.of(new BadRequestException.FieldError(name, message)));
        return ResponseEntity.badRequest().body(p);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        e.getBody().setDetail(ErrorAnswers.noSuchPath("/" + e.getResourcePath()));
        return super.handleNoResourceFoundException(e, headers, status, request);
    }

    /**
     * Every answer of {@link ResponseEntityExceptionHandler} (Spring's own exceptions) passes here: its problem gets
     * the house's type and title; on a dashboard page, the error page answers instead.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // the problem the superclass answers (it makes it from the exception when there is no body)
        ProblemDetail problem = body instanceof ProblemDetail b ? b
                : body == null && e instanceof ErrorResponse r ? r.getBody() : null;
        if (request instanceof ServletWebRequest web && web.getResponse() != null
                && ErrorAnswers.isPage(ErrorAnswers.path(web.getRequest()))) {
            HttpServletResponse response = web.getResponse();
            headers.forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            try { // to the error page (the dashboard's ErrorPages), with what went wrong
                response.sendError(status.value(), problem == null ? null : problem.getDetail());
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
            return null;
        }
        if (problem != null) {
            ErrorAnswers.complete(problem);
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }

    private static void fieldProblem(ProblemDetail p, String field, String message) {
        p.setDetail(field + ": " + message);
        p.setProperty("errors", List.of(new BadRequestException.FieldError(field, message)));
    }

    /** The field the parser is at, as the API names fields: {@code redundancy.quorum}, {@code items[2]}. */
    private static String field(TokenStreamContext at) {
        StringBuilder field = new StringBuilder();
        for (TokenStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
            String segment = c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.currentName();
            field.insert(0, (field.isEmpty() || field.charAt(0) == '[' ? "" : ".")).insert(0, segment);
        }
        return field.toString();
    }

    /** What is wrong with one field, in the API's words rather than Java's. */
    private static String fieldMessage(DatabindException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field; known fields: " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
        }
        if (e instanceof MismatchedInputException m) {
            return "must be " + describe(m.getTargetType());
        }
        return "has an invalid value";
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> token.asString() == null ? token.name() : token.asString(); // true, false, null
        };
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        return "of another type";
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        return ErrorAnswers.problem(status, type, title, detail);
    }
}
