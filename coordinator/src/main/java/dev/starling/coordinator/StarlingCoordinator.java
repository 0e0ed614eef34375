package dev.starling.coordinator;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The coordinator's Spring application: REST API for researchers, gRPC service for workers, all state in PostgreSQL.
 * Its components are found from this package down. The command line that starts it is
 * {@code cli.CoordinatorMain}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class StarlingCoordinator {}
