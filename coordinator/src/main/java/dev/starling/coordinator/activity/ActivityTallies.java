package dev.starling.coordinator.activity;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import org.springframework.stereotype.Component;

/** Folds the rows validation appended to {@code job_activity_tally} into {@code job_activity}, a batch per transaction. */
@Component
class ActivityTallies extends Sweeper {
    private static final int BATCH = 10_000;

    private final ActivityTable activity;
    private final Transactions transactions;

    ActivityTallies(ActivityTable activity, Transactions transactions, StarlingProperties properties) {
        super("activity-tallies", properties.sweep().interval());
        this.activity = activity;
        this.transactions = transactions;
    }

    @Override
    protected boolean step() {
        return transactions.retrying(() -> activity.fold(BATCH)) == BATCH;
    }
}
