package dev.starling.coordinator.dashboard;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dashboard settings, under {@code starling.dashboard.*}.
 *
 * @param refresh how often open pages fetch their live sections and charts again
 * @param chartMinutes how many minutes the throughput charts show
 */
@ConfigurationProperties("starling.dashboard")
public record DashboardProperties(@DefaultValue("3s") Duration refresh, @DefaultValue("60") int chartMinutes) {
    public DashboardProperties {
        if (refresh.toMillis() < 200) {
            throw new IllegalArgumentException("starling.dashboard.refresh must be at least 200ms, got " + refresh);
        }
        if (chartMinutes < 5 || chartMinutes > 24 * 60) {
            throw new IllegalArgumentException("starling.dashboard.chart-minutes must be between 5 and 1440, got "
                    + chartMinutes);
        }
    }
}
