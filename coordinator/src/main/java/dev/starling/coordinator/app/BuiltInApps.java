package dev.starling.coordinator.app;

import dev.starling.sdk.Apps;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The built-in apps: those on the class path, found through the task SDK (ServiceLoader). */
@Configuration(proxyBeanMethods = false)
class BuiltInApps {
    @Bean
    Apps installedApps() {
        return Apps.load(AppCatalog.class.getClassLoader());
    }
}
