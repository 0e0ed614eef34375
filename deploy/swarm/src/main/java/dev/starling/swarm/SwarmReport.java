package dev.starling.swarm;

import dev.starling.swarm.internal.Numbers;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a swarm run measured and checked.
 *
 * @param figures the measuring window's figures (the SWARM line)
 * @param jobId the job the swarm submitted, if it did
 * @param checks the outcome of each check, in order; without a job of its own only the errors check runs
 * @param errorsByStatus non-OK gRPC statuses over the whole run, by status code name (the swarm's own
 *     cancellation of long polls at the end is not counted)
 * @param rejectedAcks results the coordinator answered REJECTED over the whole run
 * @param startup how the hosts, started together, got going
 * @param outcome what became of the swarm's job's work units: wrong canonical results and time to a quorum
 */
public record SwarmReport(Figures figures, OptionalLong jobId, List<Check> checks, Map<String, Long> errorsByStatus,
        long rejectedAcks, Startup startup, Outcome outcome) {

    public SwarmReport {
        checks = List.copyOf(checks);
        errorsByStatus = Map.copyOf(errorsByStatus);
    }

    /** A report without an outcome line. */
    public SwarmReport(Figures figures, OptionalLong jobId, List<Check> checks, Map<String, Long> errorsByStatus,
            long rejectedAcks, Startup startup) {
        this(figures, jobId, checks, errorsByStatus, rejectedAcks, startup, null);
    }

    /**
     * What became of the job's work units under a colluding strategy.
     *
     * @param strategy the colluders' strategy ({@code none} without colluders)
     * @param colluders colluding hosts
     * @param workUnits the job's work units
     * @param wrongCanonical work units whose canonical output is the colluders' wrong one; -1 when it could not be
     *     counted (only a deployed app's job's result says it: the checksum app's is one digest)
     * @param wrongReported wrong outputs the colluders reported
     * @param medianToQuorumSeconds median time from a work unit's first replica sent to its quorum-th result stored
     *     (when it can first be validated)
     */
    public record Outcome(String strategy, int colluders, long workUnits, long wrongCanonical, long wrongReported,
            double medianToQuorumSeconds) {

        /** Wrong canonical results per 10,000 work units; NaN when not counted. */
        public double wrongPer10k() {
            return wrongCanonical < 0 || workUnits == 0 ? Double.NaN : wrongCanonical * 10_000.0 / workUnits;
        }

        /** {@code OUTCOME strategy=... colluders=... wrong_canonical=... per_10k=... to_quorum_p50_s=...} */
        public String line() {
            return "OUTCOME strategy=" + strategy + " colluders=" + colluders + " work_units=" + workUnits
                    + " wrong_canonical=" + (wrongCanonical < 0 ? "not-counted" : Long.toString(wrongCanonical))
                    + " wrong_per_10k=" + Numbers.format(wrongPer10k()) + " wrong_reported=" + wrongReported
                    + " to_quorum_p50_s=" + Numbers.format(medianToQuorumSeconds);
        }
    }

    /** A report without start-up figures. */
    public SwarmReport(Figures figures, OptionalLong jobId, List<Check> checks, Map<String, Long> errorsByStatus,
            long rejectedAcks) {
        this(figures, jobId, checks, errorsByStatus, rejectedAcks, new Startup(figures.hosts(), Double.NaN,
                Double.NaN, Map.of()));
    }

    /**
     * How the hosts, all started at once, got going: the seconds from their start until every one had registered
     * (signed up first, with a REST address) and until every one had received a task, NaN when not all did; and the
     * busy answers they were given (UNAVAILABLE with a retry hint, 503 with Retry-After), by call, each retried after
     * its hint (not errors).
     */
    public record Startup(int hosts, double registeredSeconds, double receivedWorkSeconds, Map<String, Long> busyByCall) {
        public Startup {
            busyByCall = Map.copyOf(busyByCall);
        }

        public long busy() {
            return busyByCall.values().stream().mapToLong(Long::longValue).sum();
        }

        /** {@code STARTUP hosts=... registered_s=... received_work_s=... busy_retried=... {call=n, ...}} */
        public String line() {
            return "STARTUP hosts=" + hosts + " registered_s=" + Numbers.format(registeredSeconds)
                    + " received_work_s=" + Numbers.format(receivedWorkSeconds) + " busy_retried=" + busy()
                    + (busyByCall.isEmpty() ? "" : " " + new java.util.TreeMap<>(busyByCall));
        }
    }

    /** Non-OK statuses over the whole run. */
    public long errors() {
        return errorsByStatus.values().stream().mapToLong(Long::longValue).sum();
    }

    /** No check failed, no error and no REJECTED ack over the whole run. */
    public boolean ok() {
        return failures().isEmpty();
    }

    /** One line per failed check (and for errors or rejected acks, even when no check ran), empty when all is well. */
    public List<String> failures() {
        List<String> failures = new java.util.ArrayList<>(checks.stream()
                .filter(c -> c.verdict() == Check.Verdict.FAILED).map(Check::detail).toList());
        boolean errorsChecked = checks.stream().anyMatch(c -> c.name().equals(Check.ERRORS));
        if (!errorsChecked && (errors() > 0 || rejectedAcks > 0)) {
            failures.add(errors() + " errors " + errorsByStatus + ", " + rejectedAcks + " REJECTED acks");
        }
        return List.copyOf(failures);
    }

    /**
     * The window's figures. Rates divide by the window's real length. Latencies are in milliseconds; RequestWork's
     * count only calls answered with at least one task (an empty long poll is waiting, not latency).
     *
     * @param validatedWuPerSecond increase of the jobs' validated work units over the window per second; NaN when
     *     not measured (no REST API given, or it could not be read)
     * @param resultsPerSecond success results acknowledged ACCEPTED in the window per second
     * @param hosts simulated hosts
     * @param registeredHosts hosts registered when the window closed
     * @param windowSeconds the window's real length
     * @param tasksReceived tasks the hosts received in the window
     * @param resultsAccepted success results acknowledged ACCEPTED in the window
     * @param errors non-OK statuses in the window
     */
    public record Figures(double validatedWuPerSecond, double resultsPerSecond, double requestWorkP50Ms,
            double requestWorkP99Ms, double requestWorkMaxMs, double reportP50Ms, double reportP99Ms, double reportMaxMs,
            int hosts, int registeredHosts, double windowSeconds, long tasksReceived, long resultsAccepted, long errors) {

        /** {@code SWARM validated_wu_per_s=... results_per_s=... ... errors=...}, numbers with at most one decimal. */
        public String swarmLine() {
            return "SWARM validated_wu_per_s=" + Numbers.format(validatedWuPerSecond)
                    + " results_per_s=" + Numbers.format(resultsPerSecond)
                    + " request_work_p50_ms=" + Numbers.format(requestWorkP50Ms)
                    + " request_work_p99_ms=" + Numbers.format(requestWorkP99Ms)
                    + " report_p99_ms=" + Numbers.format(reportP99Ms)
                    + " hosts=" + hosts
                    + " duration_s=" + Numbers.format(windowSeconds)
                    + " errors=" + errors;
        }
    }

    /**
     * One check's outcome.
     *
     * @param name which check ({@link #JOB}, {@link #RESULT}, {@link #DUPLICATES}, {@link #CREDIT}, {@link #ERRORS})
     * @param detail what was found, in words
     */
    public record Check(String name, Verdict verdict, String detail) {
        public static final String JOB = "job";
        public static final String RESULT = "result";
        public static final String DUPLICATES = "duplicates";
        public static final String CREDIT = "credit";
        public static final String ERRORS = "errors";

        public enum Verdict {
            OK,
            FAILED,
            SKIPPED
        }

        public static Check ok(String name, String detail) {
            return new Check(name, Verdict.OK, detail);
        }

        public static Check failed(String name, String detail) {
            return new Check(name, Verdict.FAILED, detail);
        }

        public static Check skipped(String name, String detail) {
            return new Check(name, Verdict.SKIPPED, detail);
        }

        /** {@code CHECK ok: ...}, {@code CHECK FAILED: ...} or {@code CHECK skipped: ...} */
        public String line() {
            String word = switch (verdict) {
                case OK -> "ok";
                case FAILED -> "FAILED";
                case SKIPPED -> "skipped";
            };
            return "CHECK " + word + ": " + detail;
        }
    }
}
