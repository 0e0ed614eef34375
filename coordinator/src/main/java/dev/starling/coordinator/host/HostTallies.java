package dev.starling.coordinator.host;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Folds the judgements validation appended to {@code host_tally} into the host rows, a batch per
 * transaction, so that host rows are written by one sweeper rather than by every report; the fold also rolls
 * the hosts' recent counts and quarantines or releases them ({@link HostStanding#fold}); once a day it deletes the
 * daily task counts of the days before yesterday ({@link TaskDayTable}).
 */
@Component
class HostTallies extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(HostTallies.class);
    private static final int BATCH = 10_000;

    private final HostStanding standing;
    private final HostService hosts;
    private final Transactions transactions;
    private final Clock clock;
    private final TaskDayTable taskDays;
    /** the day whose earlier task counts this coordinator last deleted */
    private LocalDate purged;

    HostTallies(HostStanding standing, HostService hosts, Transactions transactions, Clock clock,
            TaskDayTable taskDays, StarlingProperties properties) {
        super("host-tallies", properties.sweep().interval());
        this.taskDays = taskDays;
        this.standing = standing;
        this.hosts = hosts;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    protected boolean step() {
        LocalDate today = HostStanding.day(clock.instant());
        if (!today.equals(purged)) {
            taskDays.purge(today.minusDays(1)); // yesterday's counts kept for a look, older ones deleted
            purged = today;
        }
        List<HostStanding.Folded> folded = transactions.retrying(() -> standing.fold(BATCH, clock.instant()));
        for (HostStanding.Folded f : folded) {
            if (f.entered()) {
                log.warn("Host {} quarantined: {}; its results need a partner in good standing and it gets fewer "
                        + "tasks until it recovers", f.hostId(), f.reason());
            } else if (f.left()) {
                log.info("Host {} recovered: its quarantine is lifted", f.hostId());
            }
            if (f.entered() || f.left()) {
                hosts.forget(f.hostId()); // this coordinator serves it as it now stands at once; others within a minute
            }
        }
        return folded.stream().mapToLong(HostStanding.Folded::rows).sum() == BATCH;
    }
}
