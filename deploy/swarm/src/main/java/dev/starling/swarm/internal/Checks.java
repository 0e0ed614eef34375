package dev.starling.swarm.internal;

import dev.starling.swarm.SwarmReport.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The checks after a swarm run, as pure functions of what the swarm tallied and what the coordinator answered,
 * so that each can be tested with made-up figures.
 */
public final class Checks {
    /** How many offending hosts a failed check names. */
    private static final int EXAMPLES = 5;
    private static final double CREDIT_TOLERANCE = 1e-9;

    private Checks() {}

    /** 1. The job SUCCEEDED with every work unit validated and none failed. */
    public static Check job(long workUnits, JobStatus job, boolean drainTimedOut) {
        String counts = job.validated() + " of " + workUnits + " work units validated, " + job.failed() + " failed, "
                + job.cancelled() + " cancelled";
        if (job.succeeded() && job.validated() == workUnits && job.failed() == 0) {
            return Check.ok(Check.JOB, "job " + job.id() + " SUCCEEDED, " + counts);
        }
        String why = drainTimedOut && !job.finished() ? " (still " + job.state() + " when the drain timeout passed)" : "";
        String error = job.error() == null ? "" : "; error: " + job.error();
        return Check.failed(Check.JOB, "job " + job.id() + " is " + job.state() + why + ", " + counts + error);
    }

    /**
     * 2. The result is exactly {@code {"workUnits": n, "digest": <honest digest>}}: every canonical output is the
     * honest one.
     *
     * @param result the result as the coordinator answered it, null when the job has none
     */
    public static Check result(long jobId, long workUnits, String honestDigest, JsonNode result) {
        if (result == null) {
            return Check.failed(Check.RESULT, "job " + jobId + " has no result to check");
        }
        JsonNode count = result.path("workUnits");
        JsonNode digest = result.path("digest");
        boolean exact = Set.copyOf(result.propertyNames()).equals(Set.of("workUnits", "digest"))
                && count.isIntegralNumber() && count.asLong() == workUnits
                && digest.isString() && digest.asString().equals(honestDigest);
        if (exact) {
            return Check.ok(Check.RESULT, "result of job " + jobId + " is the honest digest " + abbreviate(honestDigest)
                    + " of " + workUnits + " work units (no wrong output won)");
        }
        return Check.failed(Check.RESULT, "result of job " + jobId + " is " + result + ", expected {\"workUnits\":"
                + workUnits + ",\"digest\":\"" + honestDigest + "\"} (some canonical output is not the honest one)");
    }

    /**
     * 2, for a deployed app's job: the result counts one output per work unit, all of them empty (the trivial app's;
     * a wrong host's output has bytes).
     */
    public static Check outputs(long jobId, long workUnits, JsonNode result) {
        if (result == null) {
            return Check.failed(Check.RESULT, "job " + jobId + " has no result to check");
        }
        if (result.path("outputs").asLong(-1) == workUnits && result.path("stdoutBytes").asLong(-1) == 0
                && result.path("failedWorkUnits").asLong(-1) == 0) {
            return Check.ok(Check.RESULT, "result of job " + jobId + ": " + workUnits + " outputs, all of them the"
                    + " honest empty one");
        }
        return Check.failed(Check.RESULT, "result of job " + jobId + " is " + result + ", expected " + workUnits
                + " outputs of 0 bytes and no failed work unit (some canonical output is not the honest one)");
    }

    /** 3. No host received a work unit twice. */
    public static Check duplicates(List<HostOutcome> hosts) {
        long duplicates = 0;
        List<String> examples = new ArrayList<>();
        for (HostOutcome h : hosts) {
            duplicates += h.duplicateWorkUnits();
            if (h.duplicateWorkUnits() > 0 && examples.size() < EXAMPLES) {
                examples.add("host " + h.hostId() + " (swarm host " + h.index() + "): " + h.duplicateWorkUnits());
            }
        }
        long tasks = hosts.stream().mapToLong(HostOutcome::tasksReceived).sum();
        if (duplicates == 0) {
            return Check.ok(Check.DUPLICATES, "no host received a work unit twice (" + tasks + " tasks to "
                    + hosts.size() + " hosts)");
        }
        return Check.failed(Check.DUPLICATES, duplicates + " tasks went to a host that had already received their work"
                + " unit: " + String.join(", ", examples) + (examples.size() < countWith(hosts) ? ", ..." : ""));
    }

    /**
     * 4. Each stored result was judged exactly once and credited exactly: for every host, valid + invalid equals
     * its results stored (ACCEPTED, empty message); honest hosts have no invalid result; wrong hosts no valid
     * one; credit is {@code valid * creditPerResult}.
     *
     * @param counts the hosts' counts from their volunteers' {@code GET /api/v1/volunteers/me}, by host id
     */
    public static Check credit(List<HostOutcome> hosts, Map<Long, HostCounts> counts, double creditPerResult) {
        List<String> problems = new ArrayList<>();
        long judged = 0;
        long valid = 0;
        int checked = 0;
        for (HostOutcome h : hosts) {
            if (h.hostId() == 0) {
                continue;
            }
            String who = "host " + h.hostId() + " (swarm host " + h.index() + (h.wrong() ? ", wrong" : "") + ")";
            HostCounts c = counts.get(h.hostId());
            if (c == null) {
                problems.add(who + " is not listed by its volunteer's GET /api/v1/volunteers/me");
                continue;
            }
            checked++;
            judged += c.validCount() + c.invalidCount();
            valid += c.validCount();
            if (c.validCount() + c.invalidCount() != h.storedResults()) {
                problems.add(who + ": valid " + c.validCount() + " + invalid " + c.invalidCount() + " = "
                        + (c.validCount() + c.invalidCount()) + " judgments of " + h.storedResults() + " stored results");
            }
            if (h.colluder()) {
                // right or wrong as the collusion went: only the counting and the credit are checked
            } else if (!h.wrong() && !h.turncoat() && c.invalidCount() != 0) {
                problems.add(who + ": honest but " + c.invalidCount() + " invalid");
            }
            if (!h.colluder() && h.wrong() && c.validCount() != 0) {
                problems.add(who + ": wrong but " + c.validCount() + " valid");
            }
            double expected = c.validCount() * creditPerResult;
            if (Math.abs(c.credit() - expected) > CREDIT_TOLERANCE) {
                problems.add(who + ": credit " + c.credit() + " for " + c.validCount() + " valid results, expected "
                        + expected);
            }
        }
        if (problems.isEmpty()) {
            return Check.ok(Check.CREDIT, checked + " hosts: each stored result judged once (" + judged + " judgments, "
                    + valid + " valid), honest hosts 0 invalid, wrong hosts 0 valid, credit = valid x "
                    + creditPerResult);
        }
        List<String> shown = problems.subList(0, Math.min(EXAMPLES, problems.size()));
        return Check.failed(Check.CREDIT, problems.size() + " problems with the hosts' counts: " + String.join("; ", shown)
                + (problems.size() > shown.size() ? "; ..." : ""));
    }

    /**
     * 5. No REJECTED ack, no error (non-OK status) and no other anomaly over the whole run.
     *
     * @param anomalies acks that make no sense, e.g. "already reported" for a result reported for the first time
     */
    public static Check errors(Map<String, Long> errorsByStatus, long rejectedAcks, long anomalies) {
        long errors = errorsByStatus.values().stream().mapToLong(Long::longValue).sum();
        if (errors == 0 && rejectedAcks == 0 && anomalies == 0) {
            return Check.ok(Check.ERRORS, "no REJECTED ack and no error during the run");
        }
        return Check.failed(Check.ERRORS, rejectedAcks + " REJECTED acks and " + errors + " errors during the run"
                + (errors == 0 ? "" : " " + new TreeMap<>(errorsByStatus))
                + (anomalies == 0 ? "" : ", and " + anomalies + " results answered 'already reported' on their first"
                        + " report"));
    }

    private static long countWith(List<HostOutcome> hosts) {
        return hosts.stream().filter(h -> h.duplicateWorkUnits() > 0).count();
    }

    private static String abbreviate(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) + "..." : digest;
    }
}
