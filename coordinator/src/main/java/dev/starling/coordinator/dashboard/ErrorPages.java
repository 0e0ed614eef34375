package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.web.ErrorAnswers;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.View;

/**
 * The answer to errors no controller answered, which the servlet container sends to {@code /error} (in place of
 * Spring Boot's, whose JSON is not the house's problem form): the security filters' refusal of a form without its
 * CSRF token, an unknown page, a method a page does not take, a filter that failed. The dashboard's paths get the
 * dashboard's error page, as its controllers' errors do ({@link DashboardAdvice}); every other path a problem
 * ({@link ErrorAnswers}).
 */
@Controller
class ErrorPages implements ErrorController {
    private static final Logger log = LoggerFactory.getLogger(ErrorPages.class);

    @RequestMapping("/error")
    ModelAndView error(HttpServletRequest request, Model model) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        // no error dispatch: someone asked for /error itself, which is no page of ours
        HttpStatus status = code == null ? HttpStatus.NOT_FOUND
                : code instanceof Integer c && HttpStatus.resolve(c) != null ? HttpStatus.valueOf(c)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        String path = uri == null ? ErrorAnswers.path(request)
                : uri.toString().substring(request.getContextPath().length());
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure) {
            log.error("{} {} failed", request.getMethod(), path, failure);
        }
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        String said = message == null || message.toString().isBlank() ? null : message.toString();
        if (ErrorAnswers.isPage(path)) {
            page(model, request, status, path, said);
            // a volunteer's pages have their own frame, without the admin's links (a volunteer refused a dashboard page
            // sees that frame too)
            boolean account = path.equals("/account") || path.startsWith("/account/") || request.isUserInRole("VOLUNTEER");
            return new ModelAndView(account ? "account/error"
                    : DashboardAdvice.ERROR, status);
        }
        ProblemDetail problem = ErrorAnswers.problem(status, status.is5xxServerError() ? ErrorAnswers.FAILED
                : status == HttpStatus.NOT_FOUND ? ErrorAnswers.noSuchPath(path)
                : said == null ? status.getReasonPhrase() : said);
        problem.setInstance(URI.create(path));
        View write = (m, req, res) -> ErrorAnswers.write(req, res, problem);
        ModelAndView answer = new ModelAndView(write);
        answer.setStatus(status);
        return answer;
    }

    /** The page's title and message; {@code said}: what the refusal said (Spring's detail), if anything. */
    private static void page(Model model, HttpServletRequest request, HttpStatus status, String path, String said) {
        String title;
        String message;
        if (request.getAttribute(WebAttributes.ACCESS_DENIED_403) instanceof CsrfException) {
            title = "Form expired";
            message = "The form was sent without the page's security token, or with an old one (the page was loaded "
                    + "before the last login or restart, or another site sent it). Go back, reload the page and try "
                    + "again.";
        } else if (status == HttpStatus.NOT_FOUND) {
            title = "Not found";
            message = "There is no page " + path + ".";
        } else if (status.is5xxServerError()) {
            title = "Something went wrong";
            message = DashboardAdvice.FAILED;
        } else {
            title = ErrorAnswers.title(status);
            message = path + ": " + (said == null ? "the coordinator refused this request (" + status.value() + ")."
                    : said);
        }
        model.addAttribute("title", title);
        model.addAttribute("message", message);
    }
}
