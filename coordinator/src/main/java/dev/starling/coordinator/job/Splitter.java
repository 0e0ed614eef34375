package dev.starling.coordinator.job;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.dispatch.WorkSignal;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.WorkUnitSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes work units (and their initial replicas) in batches, one transaction per batch, keyed by
 * (job, stage, index): the job row remembers the next index, so a crash mid-split resumes where it
 * stopped, and a job of a million work units never holds them in memory.
 */
@Component
class Splitter extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(Splitter.class);

    private final JobTable jobs;
    private final WorkUnitTable workUnits;
    private final JobParamsReader params;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final WorkSignal workSignal;
    private final int batchSize;

    Splitter(JobTable jobs, WorkUnitTable workUnits, JobParamsReader params, TransactionTemplate tx,
            Clock clock, WorkSignal workSignal, StarlingProperties properties) {
        super("splitter", properties.sweep().interval());
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.params = params;
        this.tx = tx;
        this.clock = clock;
        this.workSignal = workSignal;
        this.batchSize = properties.split().batchSize();
    }

    @Override
    protected boolean step() {
        return Boolean.TRUE.equals(tx.execute(status -> {
            Optional<Job> claimed = jobs.claimUnsplit();
            claimed.ifPresent(this::writeBatch);
            return claimed.isPresent();
        }));
    }

    private void writeBatch(Job job) {
        StagePlan plan = params.plan(job);
        long size = plan.size();
        long from = job.splitNext();
        long to = Math.min(size, from + batchSize);
        List<WorkUnitSpec> batch = new ArrayList<>((int) (to - from));
        for (long i = from; i < to; i++) {
            batch.add(plan.workUnit(i));
        }
        workUnits.insertBatch(job, from, batch, clock.instant());
        jobs.advanceSplit(job.id(), to, to >= size);
        if (to >= size) {
            log.info("Job {} stage {}: all {} work units written", job.id(), job.stage(), size);
            // the dispatch and validation plans depend on the tables' statistics, which a big job just changed
            // (autovacuum would see it only later: until then a fresh database plans for empty tables)
            AfterCommit.run(workUnits::refreshStatistics);
        }
        workSignal.workCreated(batch.size() * job.redundancy().initialReplicas());
    }
}
