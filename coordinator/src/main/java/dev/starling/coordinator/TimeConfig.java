package dev.starling.coordinator;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TimeConfig {
    /** Every time the coordinator writes comes from this clock, so tests can control it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
