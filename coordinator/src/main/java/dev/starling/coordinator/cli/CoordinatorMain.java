package dev.starling.coordinator.cli;

import dev.starling.coordinator.StarlingCoordinator;
import dev.starling.coordinator.db.DatabaseUrl;
import dev.starling.coordinator.demo.Demo;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;

/**
 * The coordinator's command line ({@code starling coordinator}, the jar's main class): {@code --help}, {@code demo}
 * ({@link Demo}), or the coordinator itself with its settings, an external database from {@code DATABASE_URL}
 * included. Kept apart from the Spring application it starts, which knows nothing of the demo or the command line.
 */
public final class CoordinatorMain {
    static final String USAGE = """
            Usage: starling coordinator [--name=value ...]

            The coordinator service: REST API and dashboard for researchers and the admin, gRPC for workers.
            Settings are Spring Boot properties: --name=value on the command line, or environment variables
            (the name in capitals, dots as _, dashes dropped: SERVER_PORT, STARLING_DISPATCH_LEASE, ...).
            The most used, with their defaults:

              --server.port=8080                  REST API and dashboard (0: any free port)
              --spring.grpc.server.port=9090      the workers' gRPC service (0: any free port)
              --starling.data-dir=./starling-data the embedded PostgreSQL's data and the uploaded blobs;
                                                  one coordinator per data dir
              DATABASE_URL=postgres://user:pass@host:5432/db (or --spring.datasource.url=jdbc:postgresql://...)
                                                  an external PostgreSQL instead of the embedded one
              STARLING_ADMIN_PASSWORD=...         the admin's password at the first start (at least 8
                                                  characters); without it one is generated and logged once
              --starling.admin.reset-password=true  set the admin's password again at this start
              --server.ssl.bundle=NAME --spring.grpc.server.ssl.bundle=NAME   TLS (see the guide)
              JAVA_OPTS=-Xmx512m                  options for the JVM

            Every setting, with its default: docs/operator-guide.md (Settings).
            """;

    private CoordinatorMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("demo")) {
            System.exit(Demo.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (Arrays.stream(args).anyMatch(arg -> arg.equals("--help") || arg.equals("-h"))) {
            System.out.print(USAGE);
            return;
        }
        SpringApplication app = new SpringApplication(StarlingCoordinator.class);
        // "Starting StarlingCoordinator ...", not the name of this class, which holds main
        app.setMainApplicationClass(StarlingCoordinator.class);
        try {
            app.setDefaultProperties(DatabaseUrl.fromEnvironment(System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("starling coordinator: " + e.getMessage());
            System.exit(2);
        }
        app.run(args);
    }
}
