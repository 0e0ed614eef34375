package dev.starling.coordinator;

import dev.starling.coordinator.db.DatabaseUrl;
import dev.starling.coordinator.demo.Demo;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The coordinator: REST API for researchers, gRPC service for workers, all state in PostgreSQL. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class StarlingCoordinator {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("demo")) {
            System.exit(Demo.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication app = new SpringApplication(StarlingCoordinator.class);
        try {
            app.setDefaultProperties(DatabaseUrl.fromEnvironment(System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("starling coordinator: " + e.getMessage());
            System.exit(2);
        }
        app.run(args);
    }
}
