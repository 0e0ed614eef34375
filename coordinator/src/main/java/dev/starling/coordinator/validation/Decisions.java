package dev.starling.coordinator.validation;

import dev.starling.coordinator.activity.ActivityTally;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostTable.Outcome;
import dev.starling.coordinator.host.HostTrustTable;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.workunit.ReplicaState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What evaluating a batch of work units decided, collected under the work units' locks and written by
 * {@link DecisionWriter} in the same transaction, before it commits: one statement per kind of change rather than
 * one per replica, so a report of many results costs a handful of round trips.
 */
final class Decisions {
    /** A replica's move to a judged state; only the canonical replica keeps its output. */
    record StateChange(long resultId, ReplicaState from, ReplicaState to, Double credit, boolean keepOutput) {}

    private final List<StateChange> states = new ArrayList<>();
    private final Map<Long, HostTable.Tally> hosts = new HashMap<>();
    /** (host, app) to what its judgements did to its run of valid results, in judgement order */
    private final Map<Map.Entry<Long, String>, HostTrustTable.Change> trust = new LinkedHashMap<>();
    /** spot checks judged valid (against a known answer): each vouches for its host's earlier alone results */
    private final List<Long> vouching = new ArrayList<>();
    /** (host, app) with a result judged invalid: its alone results not vouched for are re-checked */
    private final Set<Map.Entry<Long, String>> doubted = new LinkedHashSet<>();
    /** work units just validated by a quorum that are given out once more as spot checks */
    private final List<Long> spotChecks = new ArrayList<>();
    /** hosts that failed a spot check, to the work unit they failed it on, in host id order (the lock order) */
    private final Map<Long, Long> convicted = new TreeMap<>();
    /** re-checked work units validated again: work unit id to its canonical result id */
    private final Map<Long, Long> recheckedValidated = new LinkedHashMap<>();
    private final Map<Long, Long> validated = new LinkedHashMap<>();
    private final List<Long> cancelPending = new ArrayList<>();
    private final Map<Long, Integer> moreReplicas = new LinkedHashMap<>();
    private final Map<Long, Tracker.ProducedBlobs> produced = new LinkedHashMap<>();
    /** a deployed app's canonical outputs that wrote files, with their job ids, to keep as blobs */
    private final List<Map.Entry<Long, byte[]>> outputFiles = new ArrayList<>();
    private final Map<Long, Long> bytesFromPeers = new HashMap<>();
    private final ActivityTally activity = new ActivityTally();
    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    /** job id to the error of its first work unit that failed, in job id order (the lock order) */
    private final Map<Long, String> failedJobs = new TreeMap<>();
    private int givenBack;
    /** host id to the tasks it gave back in this batch (against its daily give-back cap) */
    private final Map<Long, Integer> gaveBack = new HashMap<>();
    private int failed;
    private boolean decided;

    void state(long resultId, ReplicaState from, ReplicaState to, Double credit, boolean keepOutput) {
        states.add(new StateChange(resultId, from, to, credit, keepOutput));
    }

    /** A result of the work unit was judged: it counts for its host and in its job's activity. */
    void host(WorkUnitRow wu, long hostId, Outcome outcome, double credit) {
        hosts.computeIfAbsent(hostId, id -> new HostTable.Tally()).add(outcome, credit);
        activity.judged(wu.jobId(), wu.stage(), outcome);
        outcomes.merge(outcome, 1, Integer::sum);
        boolean valid = outcome == Outcome.VALID;
        trust.merge(Map.entry(hostId, wu.app()), new HostTrustTable.Change(hostId, wu.app(), !valid, valid ? 1 : 0),
                (before, now) -> now.ended() ? now : new HostTrustTable.Change(hostId, wu.app(), before.ended(),
                        before.valid() + 1));
    }

    /**
     * A spot check was judged valid against its work unit's known answer (decided before the task was sent, so no
     * partner of the host's could make it up): it vouches for its host's alone results reported before it was sent
     * ({@link HostTrustTable#checked}). A result that merely agreed with others in a quorum does not: its partner may
     * be a colluder.
     */
    void vouch(long resultId) {
        vouching.add(resultId);
    }

    /**
     * A result of the host for the work unit's app, not accepted alone, was judged invalid against results of other
     * hosts: it doubts the host's alone results not vouched for ({@link HostTrustTable#checked}).
     */
    void doubt(WorkUnitRow wu, long hostId) {
        doubted.add(Map.entry(hostId, wu.app()));
    }

    List<Long> vouching() {
        return vouching;
    }

    Set<Map.Entry<Long, String>> doubted() {
        return doubted;
    }

    /** The validated work unit is given out once more, to check a host against its known answer. */
    void spotCheck(long workUnitId) {
        spotChecks.add(workUnitId);
    }

    /** The host's result disagreed with a spot check's known answer. */
    void convict(long hostId, long workUnitId) {
        convicted.putIfAbsent(hostId, workUnitId);
    }

    List<Long> spotChecks() {
        return spotChecks;
    }

    Map<Long, Long> convicted() {
        return convicted;
    }

    List<HostTrustTable.Change> trust() {
        return List.copyOf(trust.values());
    }

    /**
     * Counts against a host's record only, not against a work unit nor in its job's activity: what a host says
     * that costs others work without being the work unit's fault (an input it could get from nobody).
     */
    void charge(long hostId, Outcome outcome) {
        hosts.computeIfAbsent(hostId, id -> new HostTable.Tally()).add(outcome, 0);
    }

    void validate(WorkUnitRow wu, long canonicalResultId, boolean hasPending) {
        validated.put(wu.id(), canonicalResultId);
        if (wu.rechecking()) {
            recheckedValidated.put(wu.id(), canonicalResultId);
        }
        if (hasPending) {
            cancelPending.add(wu.id());
        }
        activity.validated(wu.jobId(), wu.stage());
        decided = true;
    }

    /**
     * The work unit failed (written at once by {@link DecisionWriter#fail}: rare); its job fails, with this error
     * when it is the job's first in the batch, once the batch's decisions are written.
     */
    void failed(WorkUnitRow wu, String jobError) {
        failedJobs.putIfAbsent(wu.jobId(), jobError);
        activity.failed(wu.jobId(), wu.stage());
        failed++;
        decided = true;
    }

    /** A deployed app's canonical output wrote files under {@code /output/}: they are kept as blobs. */
    void outputFiles(long jobId, byte[] canonicalOutput) {
        outputFiles.add(Map.entry(jobId, canonicalOutput));
    }

    List<Map.Entry<Long, byte[]>> outputFiles() {
        return outputFiles;
    }

    void moreReplicas(long workUnitId, int count) {
        moreReplicas.merge(workUnitId, count, Integer::sum);
    }

    void givenBack() {
        givenBack++;
    }

    /** The host gave a task back (or could not fetch its inputs): it counts against the host's day. */
    void gaveBack(long hostId) {
        gaveBack.merge(hostId, 1, Integer::sum);
    }

    Map<Long, Integer> gaveBack() {
        return gaveBack;
    }

    /** A reported success stored blobs on its worker. */
    void produced(long resultId, long workUnitId, Map<String, Long> blobs) {
        produced.put(resultId, new Tracker.ProducedBlobs(workUnitId, new LinkedHashMap<>(blobs)));
    }

    /** A worker fetched bytes from peers for a task of this job (a batch's total stops at 2^63-1, never wraps). */
    void transfer(long jobId, long fromPeers) {
        if (fromPeers > 0) {
            bytesFromPeers.merge(jobId, fromPeers, Decisions::saturatedSum);
        }
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum; // both are positive: only an overflow turns the sum negative
    }

    /** Whether a work unit was decided: the job may be complete. */
    boolean decidedAny() {
        return decided;
    }

    List<StateChange> states() {
        return states;
    }

    Map<Long, HostTable.Tally> hosts() {
        return hosts;
    }

    /** Work unit id to its canonical result id. */
    Map<Long, Long> validated() {
        return validated;
    }

    /** Re-checked work units validated again: work unit id to its new canonical result id. */
    Map<Long, Long> recheckedValidated() {
        return recheckedValidated;
    }

    /** Work units whose unsent and in-progress replicas are no longer needed. */
    List<Long> cancelPending() {
        return cancelPending;
    }

    /** Work unit id to how many replicas to add. */
    Map<Long, Integer> moreReplicas() {
        return moreReplicas;
    }

    Map<Long, Tracker.ProducedBlobs> produced() {
        return produced;
    }

    /** Job id to the bytes its tasks' workers fetched from peers. */
    Map<Long, Long> bytesFromPeers() {
        return bytesFromPeers;
    }

    ActivityTally activity() {
        return activity;
    }

    Map<Outcome, Integer> outcomes() {
        return outcomes;
    }

    /** Jobs to fail: job id to the error of its first failed work unit. */
    Map<Long, String> failedJobs() {
        return failedJobs;
    }

    int givenBackCount() {
        return givenBack;
    }

    int failedCount() {
        return failed;
    }
}
