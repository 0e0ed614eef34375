package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
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
    private final Transactions transactions;
    private final Clock clock;

    LeaseSweeper(ValidationQueries queries, WorkUnitEvaluator evaluator, Transactions transactions, Clock clock,
            StarlingProperties properties) {
        super("lease-sweeper", properties.sweep().interval());
        this.queries = queries;
        this.evaluator = evaluator;
        this.transactions = transactions;
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
            Map<Long, WorkUnitRow> locked = new LinkedHashMap<>();
            queries.tryLockWorkUnits(expired).forEach(wu -> locked.put(wu.id(), wu));
            List<ValidationQueries.TimedOut> expiredReplicas = queries.timeOut(locked.keySet(), now);
            Decisions decisions = new Decisions();
            expiredReplicas.forEach(t -> decisions.host(locked.get(t.workUnitId()), t.hostId(), Outcome.TIMED_OUT, 0));
            evaluator.settle(locked.values(), decisions, now);
            return expiredReplicas.size();
        });
        if (timedOut > 0) {
            log.info("{} task(s) timed out; replacements issued where needed", timedOut);
        }
        // a full batch may mean more; a partial one means we are done (or others hold the rest)
        return expired.size() == BATCH && timedOut > 0;
    }
}
