package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.dispatch.WorkSignal;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.job.JobCompleter;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Times out replicas whose lease ran out (no heartbeat or report in time; the host may be dead) and
 * lets their work units ask for replacements. Work units another transaction holds are left for the
 * next sweep.
 */
@Component
class LeaseSweeper extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);
    private static final int BATCH = 200;

    private final ValidationQueries queries;
    private final WorkUnitEvaluator evaluator;
    private final HostTable hosts;
    private final Transactions transactions;
    private final WorkSignal workSignal;
    private final JobCompleter completer;
    private final Clock clock;

    LeaseSweeper(ValidationQueries queries, WorkUnitEvaluator evaluator, HostTable hosts, Transactions transactions,
            WorkSignal workSignal, JobCompleter completer, Clock clock, StarlingProperties properties) {
        super("lease-sweeper", properties.sweep().interval());
        this.queries = queries;
        this.evaluator = evaluator;
        this.hosts = hosts;
        this.transactions = transactions;
        this.workSignal = workSignal;
        this.completer = completer;
        this.clock = clock;
    }

    @Override
    protected boolean step() {
        Instant now = clock.instant();
        List<Long> expired = queries.expiredWorkUnits(now, BATCH);
        if (expired.isEmpty()) {
            return false;
        }
        int timedOut = transactions.retrying(() -> {
            List<WorkUnitRow> locked = queries.tryLockWorkUnits(expired);
            List<Long> ids = locked.stream().map(WorkUnitRow::id).toList();
            List<Long> hostIds = queries.timeOut(ids, now);
            Decisions decisions = new Decisions();
            hostIds.forEach(h -> decisions.host(h, Outcome.TIMED_OUT, 0));
            Map<Long, List<ReplicaRow>> replicas = queries.replicas(ids);
            for (WorkUnitRow wu : locked) {
                evaluator.evaluate(wu, replicas.get(wu.id()), decisions);
            }
            decisions.apply(queries, hosts, workSignal, now);
            if (decisions.decidedAny()) {
                AfterCommit.run(completer::nudge);
            }
            return hostIds.size();
        });
        if (timedOut > 0) {
            log.info("{} task(s) timed out; replacements issued where needed", timedOut);
        }
        // a full batch may mean more; a partial one means we are done (or others hold the rest)
        return expired.size() == BATCH && timedOut > 0;
    }
}
