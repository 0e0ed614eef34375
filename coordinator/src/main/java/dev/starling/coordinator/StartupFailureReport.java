package dev.starling.coordinator;

import java.io.IOException;
import java.net.BindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;
import org.springframework.core.NestedExceptionUtils;

/**
 * A start-up failure that a failure analyzer explained (a {@link StartupProblem}, a port in use, a setting that does
 * not bind, ...) is logged as one line, what is wrong and what to do, instead of Spring Boot's block of several; the
 * stack trace is logged at DEBUG only (by Spring Boot). Registered in {@code META-INF/spring.factories}; Boot's own
 * reporter is silenced in {@code application.properties}. Failures nobody analyzed are still logged with their stack
 * trace ("Application run failed"): those are bugs, not the operator's mistakes.
 */
public final class StartupFailureReport implements FailureAnalysisReporter {
    private static final Logger log = LoggerFactory.getLogger(StartupFailureReport.class);

    @Override
    public void report(FailureAnalysis analysis) {
        log.error("The coordinator cannot start: {}", line(analysis));
    }

    /** Description and action on one line, whatever line breaks and indentation the analyzer used. */
    static String line(FailureAnalysis analysis) {
        String description = oneLine(analysis.getDescription());
        String action = oneLine(analysis.getAction());
        if (action.isEmpty()) {
            return description;
        }
        return description + (description.matches(".*[.:;!?]$") ? " " : ". ") + action;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    /** Explains a {@link StartupProblem}: its message and its action. */
    public static final class ProblemAnalyzer extends AbstractFailureAnalyzer<StartupProblem> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, StartupProblem cause) {
            return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
        }
    }

    /**
     * The gRPC port is taken (Spring Boot explains a taken HTTP port itself). grpc-java reports it as an
     * {@code IOException} "Failed to bind to address HOST:PORT" caused by the operating system's "Address already in
     * use".
     */
    public static final class GrpcPortInUse extends AbstractFailureAnalyzer<IOException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, IOException cause) {
            String message = String.valueOf(cause.getMessage());
            Throwable root = NestedExceptionUtils.getMostSpecificCause(cause);
            if (!message.startsWith("Failed to bind to address")
                    || !(root instanceof BindException || String.valueOf(root.getMessage()).contains("in use"))) {
                return null;
            }
            String port = message.substring(message.lastIndexOf(':') + 1);
            return new FailureAnalysis("the gRPC port " + port + " is already in use",
                    "Stop what listens there (another coordinator?) or give this one another port "
                            + "(--spring.grpc.server.port=PORT).", cause);
        }
    }
}
