package dev.starling.coordinator.activity;

import dev.starling.coordinator.host.HostTable.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one transaction did to jobs: work units decided and results judged, per job and stage. Collected while
 * validation decides, appended by {@link ActivityTable#record} in the same transaction.
 */
public final class ActivityTally {
    /** A job's stage. */
    record Key(long jobId, int stage) {}

    /** Counts of one job stage; mutable while a transaction collects them. */
    static final class Counts {
        int validated;
        int failed;
        int valid;
        int invalid;
        int errors;
        int timedOut;
    }

    final Map<Key, Counts> counts = new LinkedHashMap<>();

    public void validated(long jobId, int stage) {
        of(jobId, stage).validated++;
    }

    /** A validated work unit was re-opened (to be re-checked): it will be counted again when validated again. */
    public void reopened(long jobId, int stage) {
        of(jobId, stage).validated--;
    }

    public void failed(long jobId, int stage) {
        of(jobId, stage).failed++;
    }

    public void judged(long jobId, int stage, Outcome outcome) {
        Counts c = of(jobId, stage);
        switch (outcome) {
            case VALID -> c.valid++;
            case INVALID -> c.invalid++;
            case ERROR -> c.errors++;
            case TIMED_OUT -> c.timedOut++;
        }
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    private Counts of(long jobId, int stage) {
        return counts.computeIfAbsent(new Key(jobId, stage), k -> new Counts());
    }
}
