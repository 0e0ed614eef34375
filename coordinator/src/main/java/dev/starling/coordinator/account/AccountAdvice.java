package dev.starling.coordinator.account;

import dev.starling.coordinator.dashboard.DashboardProperties;
import dev.starling.coordinator.dashboard.Format;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** What every account page gets (formatting, the refresh interval), and its errors as pages. */
@ControllerAdvice(basePackageClasses = AccountAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AccountAdvice {
    private static final Logger log = LoggerFactory.getLogger(AccountAdvice.class);
    static final String ERROR = "account/error";

    private final Format format;
    private final DashboardProperties properties;

    AccountAdvice(Format format, DashboardProperties properties) {
        this.format = format;
        this.properties = properties;
    }

    @ModelAttribute
    void common(Model model) {
        model.addAttribute("fmt", format);
        model.addAttribute("refreshMillis", properties.refresh().toMillis());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(NotFoundException e, Model model) {
        return error(model, "Not found", e.getMessage());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(MethodArgumentTypeMismatchException e, Model model) {
        return error(model, "Not found", "'" + e.getValue() + "' is not a valid " + e.getName());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    String badRequest(BadRequestException e, Model model) {
        return error(model, "Bad request", e.getMessage());
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.INTERNAL_SERVER_ERROR)
    String unexpected(Exception e, Model model, HttpServletRequest request) {
        log.error("Account page {} failed", request.getRequestURI(), e);
        return error(model, "Something went wrong", "The coordinator failed to show this page; the operator can find"
                + " the cause in its log.");
    }

    private String error(Model model, String title, String message) {
        common(model); // model attribute methods do not run for exception handlers
        model.addAttribute("title", title);
        model.addAttribute("message", message);
        return ERROR;
    }
}
