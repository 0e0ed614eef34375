package dev.starling.coordinator.dispatch;

import io.grpc.ServerBuilder;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {
    private static final Logger log = LoggerFactory.getLogger(GrpcServerConfig.class);

    /** Calls run on virtual threads: a long-polling RequestWork holds no platform thread while it waits. */
    @Bean
    <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> virtualThreadExecutor() {
        return builder -> builder.executor(Executors.newVirtualThreadPerTaskExecutor());
    }

    @EventListener
    void started(GrpcServerStartedEvent event) {
        log.info("gRPC worker service listening on port {}", event.getPort());
    }
}
