package dev.starling.coordinator.validation;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Re-checks what convicted hosts (failed a spot check) helped validate, the quorums won by hosts that are all
 * quarantined now, the doubted alone results of hosts that had a result judged invalid since they were last vouched
 * for ({@code HostTrustTable.checked}), and the alone results not vouched for of stages that have ended
 * ({@code JobTable.holdUnvouched}): each VALID result of a convicted host becomes INVALID, each doubted or unvouched
 * alone result and each such quorum is voided, and its work unit, when its job is not over
 * (or SUCCEEDED), is re-opened ({@link SpotCheckQueries#reopen}) and the quorum rule asks for new replicas. Batches of
 * work units, one transaction each, skipping those others hold; a crash resumes where it stopped, since the work list
 * shrinks in the transaction that works it: {@code recheck_work_unit}, filled once per conviction and once per
 * quarantine by one pass over result ({@link SpotCheckQueries#listConvicted}, {@link SpotCheckQueries#listQuarantined}),
 * by the judgements of convicted and quarantined hosts' later results, and once per stage by one statement over its
 * work units (never a scan of result per sweep); for doubted alone results, those results themselves.
 */
@Component
class Rechecker extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(Rechecker.class);
    private static final int BATCH = 100;

    private final SpotCheckQueries spotChecks;
    private final ValidationQueries queries;
    private final WorkUnitEvaluator evaluator;
    private final Transactions transactions;
    private final Clock clock;

    Rechecker(SpotCheckQueries spotChecks, ValidationQueries queries, WorkUnitEvaluator evaluator,
            Transactions transactions, Clock clock, StarlingProperties properties) {
        super("rechecker", properties.sweep().interval());
        this.spotChecks = spotChecks;
        this.queries = queries;
        this.evaluator = evaluator;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    protected boolean step() {
        spotChecks.noteConvictions();
        spotChecks.noteQuarantines();
        List<Long> listed = transactions.retrying(spotChecks::listConvicted);
        if (!listed.isEmpty()) {
            log.info("The VALID results of convicted host(s) {} are listed for re-checking", listed);
        }
        List<Long> quarantined = transactions.retrying(spotChecks::listQuarantined);
        if (!quarantined.isEmpty()) {
            log.info("The work units quarantined host(s) {} won beside no host in good standing are listed for "
                    + "re-checking", quarantined);
        }
        List<Long> suspect = spotChecks.suspect(BATCH);
        if (suspect.isEmpty()) {
            spotChecks.settleDoubts();
            return false;
        }
        Instant now = clock.instant();
        int reopened = transactions.retrying(() -> recheck(suspect, now));
        if (reopened > 0) {
            log.info("{} work unit(s) re-opened: a host that helped validate them failed a spot check, or one whose "
                    + "result stood alone had a result judged invalid since, or that result was not vouched for when "
                    + "its stage ended", reopened);
        }
        return suspect.size() == BATCH;
    }

    private int recheck(List<Long> suspect, Instant now) {
        List<WorkUnitRow> locked = queries.tryLockWorkUnits(suspect);
        Long[] ids = locked.stream().map(WorkUnitRow::id).toArray(Long[]::new);
        List<Long> stageEnd = spotChecks.unlist(suspect, ids);
        if (locked.isEmpty()) {
            return 0;
        }
        Set<Long> voided = new TreeSet<>(spotChecks.invalidateConvicted(ids));
        voided.addAll(spotChecks.voidDoubted(ids));
        voided.addAll(spotChecks.voidUnvouched(stageEnd));
        voided.addAll(spotChecks.voidQuarantinedWins(ids));
        Map<Long, Integer> reopened = spotChecks.reopen(voided);
        if (reopened.isEmpty()) {
            return 0;
        }
        List<WorkUnitRow> open = new ArrayList<>();
        Decisions decisions = new Decisions();
        for (WorkUnitRow wu : locked) {
            Integer maxResults = reopened.get(wu.id());
            if (maxResults != null) {
                open.add(wu.reopened(maxResults));
                decisions.activity().reopened(wu.jobId(), wu.stage());
            }
        }
        // jobs in id order, the lock order
        Map<Long, Long> perJob = open.stream()
                .collect(Collectors.groupingBy(WorkUnitRow::jobId, TreeMap::new, Collectors.counting()));
        Long[] reopenedIds = reopened.keySet().toArray(Long[]::new);
        perJob.forEach((job, n) -> spotChecks.jobRechecked(job, n, reopenedIds));
        evaluator.settle(open, decisions, now);
        return open.size();
    }
}
