package dev.starling.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.StarlingCoordinator;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestDatabase;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The admin account's generated password is shown once: a first start that fails after the database is set up must
 * not have used it up. Whole coordinators on a database of their own, started as the command line does.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminAccountTest {
    private static final Pattern GENERATED = Pattern.compile("with the generated password (\\S+) ");

    @Test
    void aFirstStartThatFailsLeavesTheAdminForTheNextStart(CapturedOutput output) throws Exception {
        String database = TestDatabase.create();
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> start(database, taken.getLocalPort())).isNotNull();
        }
        assertThat(output.getOut()).contains("Port").contains("already in use").doesNotContain("generated password");
        assertThat(admins(database)).isZero();

        try (ConfigurableApplicationContext coordinator = start(database, 0)) {
            Matcher m = GENERATED.matcher(output.getOut());
            assertThat(m.find()).as("the generated password is logged at the start that succeeds").isTrue();
            int port = coordinator.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            assertThat(new TestApi(port).asAdmin(m.group(1)).get("/api/v1/hosts").status()).isEqualTo(200);
        }
        assertThat(admins(database)).isOne();
    }

    /** A coordinator on {@code database} with no admin password set, its HTTP port {@code httpPort}. */
    private static ConfigurableApplicationContext start(String database, int httpPort) {
        return new SpringApplicationBuilder(StarlingCoordinator.class).run("--spring.datasource.url=" + database,
                "--spring.datasource.username=" + TestDatabase.USER, "--server.port=" + httpPort,
                "--spring.grpc.server.port=" + CoordinatorTest.freePort());
    }

    private static int admins(String database) throws Exception {
        try (var c = DriverManager.getConnection(database, TestDatabase.USER, null);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM admin_account")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
