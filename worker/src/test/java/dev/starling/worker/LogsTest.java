package dev.starling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogsTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreTheTestsLogging() throws Exception {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    void linesGoToTheConsoleAndToARotatingFileAtTheChosenLevel() throws Exception {
        StringBuilder console = new StringBuilder();
        Logs.configure(Logs.level(WorkerMain.LogLevel.INFO), dir.resolve("logs"), console::append);

        org.slf4j.Logger log = LoggerFactory.getLogger("dev.starling.worker.session.Somewhere");
        log.info("Registered as host {}", 12);
        log.debug("not at info");
        LoggerFactory.getLogger("io.grpc.Chatty").info("libraries say warnings only");

        assertThat(console.toString()).matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ \\[[^]]+\\] INFO "
                + "Somewhere - Registered as host 12\\R").doesNotContain("not at info", "Chatty");
        assertThat(Files.readString(dir.resolve("logs").resolve("worker.0.log"))).isEqualTo(console.toString());
    }

    @Test
    void logLevelsHaveSlf4jNames() {
        assertThat(Logs.level(WorkerMain.LogLevel.DEBUG)).isEqualTo(Level.FINE);
        assertThat(Logs.level(WorkerMain.LogLevel.WARN)).isEqualTo(Level.WARNING);
    }
}
