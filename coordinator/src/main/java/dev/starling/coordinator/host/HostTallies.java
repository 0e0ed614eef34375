package dev.starling.coordinator.host;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import org.springframework.stereotype.Component;

/**
 * Folds the judgements validation appended to {@code host_tally} into the host rows, a batch per
 * transaction, so that host rows are written by one sweeper rather than by every report.
 */
@Component
class HostTallies extends Sweeper {
    private static final int BATCH = 10_000;

    private final HostTable hosts;
    private final Transactions transactions;

    HostTallies(HostTable hosts, Transactions transactions, StarlingProperties properties) {
        super("host-tallies", properties.sweep().interval());
        this.hosts = hosts;
        this.transactions = transactions;
    }

    @Override
    protected boolean step() {
        return transactions.retrying(() -> hosts.fold(BATCH)) == BATCH;
    }
}
