package dev.starling.coordinator.app;

import dev.starling.coordinator.StarlingProperties;
import jakarta.servlet.MultipartConfigElement;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The servlet container's limits on multipart bodies, which only a deploy ({@code POST /api/v1/apps}) reads: Spring's
 * multipart resolver stays off (blob uploads are raw bodies streamed to disk, never parsed as forms), and the deploy
 * asks the request for its parts itself. The container refuses a module larger than
 * {@code starling.apps.max-module-size} while reading it, before anything is stored; parts larger than 1 MiB wait on
 * disk rather than in memory.
 */
@Configuration(proxyBeanMethods = false)
class DeployUploads {
    /** room for the manifest and the body's boundaries, beside the module */
    private static final long OVERHEAD = 1 << 20;

    private final long maxModuleBytes;

    DeployUploads(StarlingProperties properties) {
        this.maxModuleBytes = properties.apps().maxModuleSize().toBytes();
    }

    long maxModuleBytes() {
        return maxModuleBytes;
    }

    @Bean
    MultipartConfigElement multipartConfig() {
        return new MultipartConfigElement(null, maxModuleBytes, maxModuleBytes + OVERHEAD, 1 << 20);
    }
}
