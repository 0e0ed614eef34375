package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.support.Transactions;
import dev.starling.coordinator.web.AdmissionFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.transaction.TransactionException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * What every dashboard page gets (formatting, the refresh interval), and its errors as pages rather than the
 * API's problem documents: it is consulted before the API's advice for the dashboard's controllers.
 */
@ControllerAdvice(basePackageClasses = DashboardAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardAdvice {
    private static final Logger log = LoggerFactory.getLogger(DashboardAdvice.class);
    static final String ERROR = "dashboard/error";
    static final String FAILED = "The coordinator failed to show this page; the operator can find the cause in its log.";

    private final Format format;
    private final DashboardProperties properties;

    DashboardAdvice(Format format, DashboardProperties properties) {
        this.format = format;
        this.properties = properties;
    }

    @ModelAttribute
    void common(Model model, Principal user) {
        model.addAttribute("fmt", format);
        model.addAttribute("refreshMillis", properties.refresh().toMillis());
        model.addAttribute("user", user == null ? "" : user.getName());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(NotFoundException e, Model model, HttpServletRequest request) {
        return error(model, request, "Not found", e.getMessage());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(MethodArgumentTypeMismatchException e, Model model, HttpServletRequest request) {
        return error(model, request, "Not found", "'" + e.getValue() + "' is not a valid " + e.getName());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    String badRequest(BadRequestException e, Model model, HttpServletRequest request) {
        return error(model, request, "Bad request", e.getMessage());
    }

    /** A database that cannot serve right now is a 503 page to come back to, not a failure. */
    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    String database(RuntimeException e, Model model, HttpServletRequest request, HttpServletResponse response) {
        if (!Transactions.databaseUnavailable(e)) {
            response.setStatus(HttpStatus.INTERNAL_SERVER_ERROR.value());
            return unexpected(e, model, request);
        }
        log.warn("Dashboard page without its database: {}", e.toString());
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, "5");
        return error(model, request, "Busy", AdmissionFilter.DATABASE_UNAVAILABLE);
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.INTERNAL_SERVER_ERROR)
    String unexpected(Exception e, Model model, HttpServletRequest request) {
        log.error("Dashboard page failed", e);
        return error(model, request, "Something went wrong", FAILED);
    }

    private String error(Model model, HttpServletRequest request, String title, String message) {
        common(model, request.getUserPrincipal()); // model attribute methods do not run for exception handlers
        model.addAttribute("title", title);
        model.addAttribute("message", message);
        return ERROR;
    }
}
