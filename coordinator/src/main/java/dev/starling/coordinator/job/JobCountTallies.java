package dev.starling.coordinator.job;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import org.springframework.stereotype.Component;

/**
 * Folds the rows the triggers on {@code work_unit} appended to {@code job_work_unit_tally} into
 * {@code job_work_unit_count}, a batch per transaction ({@link JobTable#workUnitCounts}).
 */
@Component
class JobCountTallies extends Sweeper {
    private static final int BATCH = 10_000;

    private final JobTable jobs;
    private final Transactions transactions;

    JobCountTallies(JobTable jobs, Transactions transactions, StarlingProperties properties) {
        super("job-count-tallies", properties.sweep().interval());
        this.jobs = jobs;
        this.transactions = transactions;
    }

    @Override
    protected boolean step() {
        return transactions.retrying(() -> jobs.foldCounts(BATCH)) == BATCH;
    }
}
