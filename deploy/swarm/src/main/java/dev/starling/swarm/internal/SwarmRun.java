package dev.starling.swarm.internal;

import dev.starling.samples.checksum.ChecksumApp;
import dev.starling.swarm.Swarm;
import dev.starling.swarm.SwarmException;
import dev.starling.swarm.SwarmReport;
import dev.starling.swarm.SwarmReport.Check;
import dev.starling.swarm.internal.CoordinatorApi.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * One run of {@link Swarm#run}: submit and wait for the split (optional), start the hosts, warm up, measure the
 * window, drain (with a job), stop the hosts, check.
 */
public final class SwarmRun {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration POLL_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_WAIT = Duration.ofMinutes(2);

    private final Swarm.Options options;
    private final Consumer<String> progress;
    private final CoordinatorApi api;
    /** for the progress line, which must not wait long for a busy coordinator */
    private final CoordinatorApi progressApi;
    private volatile String phase = "starting";

    public SwarmRun(Swarm.Options options) {
        this.options = options;
        this.progress = options.progress();
        this.api = options.api().isEmpty() ? null
                : new CoordinatorApi(options.api(), Duration.ofSeconds(60), options.apiKey());
        this.progressApi = options.api().isEmpty() || options.apiKey() == null ? null
                : new CoordinatorApi(options.api(), Duration.ofSeconds(3), options.apiKey());
    }

    public SwarmReport run() {
        long jobId = options.submit() > 0 ? submitAndWaitForSplit() : 0;
        if (jobId != 0) {
            options.listener().jobReady(jobId);
        }
        Metrics metrics = new Metrics();
        BitSet wrong = WrongHosts.choose(options.hosts(), options.wrongFraction(), options.seed());
        Collusion collusion = new Collusion(options.strategy(), options.quorum(), colluders(wrong));
        HostContext context = new HostContext(options, metrics, jobId, api, collusion);
        BitSet turncoats = WrongHosts.choose(options.hosts(), options.turncoatFraction(), options.seed() + 1);
        turncoats.andNot(wrong);
        List<HostTally> tallies = new ArrayList<>(options.hosts());
        SwarmReport.Figures figures;
        JobStatus drained = null;
        boolean drainTimedOut = false;
        long launched;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarm-progress");
            t.setDaemon(true);
            return t;
        });
        try (Channels channels = new Channels(options.coordinators(), options.hosts(), options.connections())) {
            progress.accept("swarm: starting " + options.hosts() + " hosts (" + wrong.cardinality() + " wrong, "
                    + collusion.count() + " colluding (" + options.strategy().name().toLowerCase(Locale.ROOT) + "), "
                    + turncoats.cardinality() + " turncoats turning after " + options.turncoatAfter() + " results, seed "
                    + options.seed() + "), " + options.cores() + " cores each, task time "
                    + Durations.format(options.taskTime()) + ", " + channels.size() + " connections to "
                    + options.coordinators());
            List<Thread> threads = new ArrayList<>(options.hosts());
            launched = System.nanoTime();
            for (int i = 0; i < options.hosts(); i++) {
                HostTally tally = new HostTally(i, wrong.get(i), collusion.isColluder(i));
                tally.turncoat = turncoats.get(i);
                tallies.add(tally);
                threads.add(Thread.ofVirtual().name("swarm-host-" + i)
                        .start(new SimulatedHost(context, tally, channels.forHost(i))));
            }
            Progress ticks = new Progress(metrics, jobId, launched);
            ticker.scheduleAtFixedRate(ticks::print, PROGRESS_EVERY.toMillis(), PROGRESS_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                phase = "warmup";
                sleep(options.warmup());
                Window window = Window.open(metrics);
                phase = "window";
                ticks.windowStarted = System.nanoTime();
                Reading validatedAtStart = readValidated(jobId);
                sleep(options.duration().minusNanos(System.nanoTime() - ticks.windowStarted));
                figures = window.close(metrics, validatedAtStart, () -> readValidated(jobId), options.hosts());
                phase = "drain";
                options.listener().windowClosed(figures);
                if (jobId != 0) {
                    long deadline = System.nanoTime() + options.drainTimeout().toNanos();
                    while (true) {
                        drained = readJob(jobId, drained);
                        if (drained != null && drained.finished()) {
                            break;
                        }
                        if (System.nanoTime() - deadline > 0) {
                            drainTimedOut = true;
                            progress.accept("swarm: the drain timeout (" + Durations.format(options.drainTimeout())
                                    + ") passed before job " + jobId + " finished");
                            break;
                        }
                        sleep(POLL_EVERY);
                    }
                }
            } finally {
                phase = "stopping";
                context.stop();
                join(threads);
                ticker.shutdownNow();
            }
        }
        List<HostOutcome> outcomes = tallies.stream().map(HostTally::outcome).toList();
        List<Check> checks = new ArrayList<>();
        SwarmReport.Outcome outcome = null;
        if (jobId != 0) {
            JobStatus last = readJob(jobId, drained);
            checks.addAll(checkJob(jobId, last, drainTimedOut, tallies, outcomes, metrics));
            outcome = new SwarmReport.Outcome(options.strategy().name().toLowerCase(Locale.ROOT), collusion.count(),
                    options.submit(), wrongCanonical(jobId, last), collusion.wrongReported.sum(),
                    metrics.medianToQuorumSeconds());
        }
        checks.add(Checks.errors(metrics.errorsByStatus(), metrics.rejected.sum(), metrics.alreadyReportedFirstTime.sum()));
        summarize(metrics);
        return new SwarmReport(figures, jobId == 0 ? OptionalLong.empty() : OptionalLong.of(jobId), checks,
                metrics.errorsByStatus(), metrics.rejected.sum(), new SwarmReport.Startup(options.hosts(),
                        since(launched, metrics.allRegisteredAt), since(launched, metrics.allWorkingAt),
                        metrics.busyByCall()), outcome);
    }

    /** The colluders: {@code floor(hosts * colludeFraction)} hosts chosen by the seed among those not wrong. */
    private BitSet colluders(BitSet wrong) {
        BitSet colluders = new BitSet(options.hosts());
        int count = WrongHosts.count(options.hosts(), options.colludeFraction());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < options.hosts(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(options.seed() + 1));
        for (int i = 0; i < order.size() && colluders.cardinality() < count; i++) {
            if (!wrong.get(order.get(i))) {
                colluders.set(order.get(i));
            }
        }
        return colluders;
    }

    /**
     * The work units whose canonical output is the colluders' (a deployed job's result sums its outputs' standard
     * output bytes: the honest output has none, a random-wrong host's never wins); -1 when not counted.
     */
    private long wrongCanonical(long jobId, JobStatus job) {
        if (!options.deployed() || job == null || !job.succeeded()) {
            return -1;
        }
        try {
            long bytes = api.result(jobId).path("stdoutBytes").asLong(-1);
            return bytes < 0 ? -1 : bytes / TrivialApp.COLLUDING_STDOUT.length();
        } catch (ApiException e) {
            progress.accept("swarm: " + e.getMessage());
            return -1;
        }
    }

    private List<Check> checkJob(long jobId, JobStatus job, boolean drainTimedOut, List<HostTally> tallies,
            List<HostOutcome> hosts, Metrics metrics) {
        long workUnits = options.submit();
        List<Check> checks = new ArrayList<>();
        if (job == null) {
            checks.add(Check.failed(Check.JOB, "job " + jobId + " could not be read from " + options.api()));
            return checks;
        }
        checks.add(Checks.job(workUnits, job, drainTimedOut));
        JsonNode result = null;
        if (job.succeeded()) {
            try {
                result = api.result(jobId);
            } catch (ApiException e) {
                progress.accept("swarm: " + e.getMessage());
            }
        }
        checks.add(options.deployed() ? Checks.outputs(jobId, workUnits, result)
                : Checks.result(jobId, workUnits, ChecksumApp.digest(workUnits, options.rounds()), result));
        checks.add(Checks.duplicates(hosts));
        long foreign = metrics.foreignJobTasks.sum();
        if (foreign > 0) {
            checks.add(Check.skipped(Check.CREDIT, "the hosts received " + foreign + " tasks of other jobs, so their"
                    + " counts are not this job's alone"));
        } else if (!job.succeeded()) {
            checks.add(Check.skipped(Check.CREDIT, "job " + jobId + " did not succeed, so not every result is judged"));
        } else {
            try {
                // the checksum app's credit per work unit (its declared cost) is its rounds
                checks.add(Checks.credit(hosts, ownHosts(tallies), options.rounds()));
            } catch (ApiException e) {
                checks.add(Check.failed(Check.CREDIT, "the hosts could not be read: " + e.getMessage()));
            }
        }
        return checks;
    }

    /**
     * The registered hosts' counts, each read by its volunteer ({@code GET /api/v1/volunteers/me} with the host's
     * account key: the swarm has no admin credentials), 16 at a time.
     */
    private Map<Long, HostCounts> ownHosts(List<HostTally> tallies) {
        Map<Long, HostCounts> counts = new ConcurrentHashMap<>();
        Semaphore permits = new Semaphore(16);
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> reads = new ArrayList<>();
            for (HostTally t : tallies) {
                if (t.hostId != 0 && t.accountKey != null) {
                    reads.add(readers.submit(() -> {
                        permits.acquireUninterruptibly();
                        try {
                            api.ownHosts(t.accountKey).forEach(h -> counts.put(h.id(), h));
                        } finally {
                            permits.release();
                        }
                    }));
                }
            }
            for (Future<?> read : reads) {
                read.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ApiException api ? api : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the hosts' counts", e);
        }
        return counts;
    }

    /** Submits the swarm's checksum job and waits until the splitter has written all its work units. */
    private long submitAndWaitForSplit() {
        long workUnits = options.submit();
        Integer maxResults = Redundancy.maxResults(workUnits, options.quorum(), options.wrongFraction());
        long taskSeconds = options.taskTime().toSeconds();
        Integer deadlineSeconds = taskSeconds * 2 > 600 ? (int) Math.min(30L * 24 * 3600, taskSeconds * 2) : null;
        JobStatus job;
        try {
            if (options.deployed()) {
                api.deploy(TrivialApp.MANIFEST, TrivialApp.MODULE);
                job = api.submitSweep(TrivialApp.ID, workUnits, options.quorum(), maxResults);
            } else {
                job = api.submitChecksum(workUnits, options.rounds(), options.quorum(), maxResults, deadlineSeconds);
            }
        } catch (ApiException e) {
            throw new SwarmException("the coordinator did not take the swarm's job: " + e.getMessage(), e);
        }
        progress.accept("swarm: submitted job " + job.id() + ": " + (options.deployed() ? TrivialApp.ID : "checksum")
                + ", " + workUnits + " work units, rounds "
                + options.rounds() + ", quorum " + options.quorum()
                + (maxResults == null ? "" : ", maxResults " + maxResults + " (enough for --wrong-fraction "
                        + options.wrongFraction() + " not to fail a work unit)")
                + (deadlineSeconds == null ? "" : ", deadlineSeconds " + deadlineSeconds));
        long start = System.nanoTime();
        long deadline = start + options.drainTimeout().toNanos();
        long nextSay = start + PROGRESS_EVERY.toNanos();
        while (true) {
            if (job.unsplit() == null) {
                progress.accept("swarm: this coordinator's job view has no workUnits.unsplit; not waiting for the"
                        + " splitter (splitting may overlap the measurement)");
                break;
            }
            if (job.unsplit() == 0 && job.total() >= workUnits) {
                break;
            }
            if (job.finished()) {
                throw new SwarmException("job " + job.id() + " is " + job.state() + " before it was split"
                        + (job.error() == null ? "" : ": " + job.error()));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SwarmException("job " + job.id() + " was not split within " + Durations.format(
                        options.drainTimeout()) + " (" + job.unsplit() + " work units still unsplit)");
            }
            if (System.nanoTime() - nextSay > 0) {
                progress.accept("swarm: job " + job.id() + ": splitting, " + (workUnits - job.unsplit()) + " of "
                        + workUnits + " work units written");
                nextSay += PROGRESS_EVERY.toNanos();
            }
            sleep(Duration.ofMillis(500));
            try {
                job = api.job(job.id());
            } catch (ApiException e) {
                throw new SwarmException("could not follow job " + job.id() + ": " + e.getMessage(), e);
            }
        }
        progress.accept(String.format(java.util.Locale.ROOT, "swarm: job %d split in %.1f s", job.id(),
                (System.nanoTime() - start) / 1e9));
        return job.id();
    }

    /** The job's view, or {@code previous} when the REST API did not answer (the failure is shown). */
    private JobStatus readJob(long jobId, JobStatus previous) {
        try {
            return api.job(jobId);
        } catch (ApiException e) {
            progress.accept("swarm: " + e.getMessage());
            return previous;
        }
    }

    /** The validated count of the swarm's job (or of all checksum jobs) and when it was read; null without the API. */
    private Reading readValidated(long jobId) {
        if (api == null || !api.canReadJobs()) {
            return null;
        }
        long before = System.nanoTime();
        try {
            long validated = jobId != 0 ? api.job(jobId).validated() : api.checksumValidated();
            return new Reading(validated, before + (System.nanoTime() - before) / 2);
        } catch (ApiException e) {
            progress.accept("swarm: the validated count could not be read: " + e.getMessage());
            return null;
        }
    }

    /** Seconds from {@code start} to {@code at} (System.nanoTime() values); NaN when {@code at} never came (0). */
    private static double since(long start, long at) {
        return at == 0 ? Double.NaN : (at - start) / 1e9;
    }

    private void summarize(Metrics m) {
        progress.accept("swarm: stopped; over the whole run: " + m.tasksReceived.sum() + " tasks received, "
                + m.resultsAccepted.sum() + " results accepted (" + m.alreadyReported.sum() + " already reported on a retry, "
                + m.alreadyReportedFirstTime.sum() + " on a first report), "
                + m.notNeeded.sum() + " not needed, " + m.rejected.sum() + " rejected, " + m.abandoned.sum()
                + " abandoned, " + m.givenBack.sum() + " given back, " + m.droppedReports.sum() + " batches dropped, "
                + m.otherAppTasks.sum() + " tasks of other apps, " + m.stoppedHosts.sum() + " hosts stopped early, "
                + "busy answers retried " + m.busyByCall() + ", errors " + m.errorsByStatus());
    }

    private void join(List<Thread> threads) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        int alive = 0;
        for (Thread t : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    alive++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                alive++;
            }
        }
        if (alive > 0) {
            progress.accept("swarm: " + alive + " hosts did not stop within " + Durations.format(STOP_WAIT)
                    + "; their counts may be incomplete");
        }
    }

    private static void sleep(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the swarm was interrupted", e);
        }
    }

    /** A validated count and the {@link System#nanoTime()} it stands for (the middle of its request). */
    private record Reading(long validated, long nanoTime) {}

    /**
     * The measuring window: the swarm's own counters from {@link #open} to {@link #close} exactly; the validated count
     * read over REST just after each (a job view can take a while), its rate divided by the time between the reads.
     */
    private record Window(Metrics.Snapshot start) {
        static Window open(Metrics metrics) {
            metrics.requestWorkInterval();
            metrics.reportInterval();
            return new Window(metrics.snapshot());
        }

        /** Closes the window now; {@code validatedEnd} is read after this returns, so it is passed as a supplier. */
        SwarmReport.Figures close(Metrics metrics, Reading validated, java.util.function.Supplier<Reading> validatedEnd,
                int hosts) {
            Metrics.Snapshot end = metrics.snapshot();
            Histogram requestWork = metrics.requestWorkInterval();
            Histogram report = metrics.reportInterval();
            double seconds = (end.nanoTime() - start.nanoTime()) / 1e9;
            Reading last = validated == null ? null : validatedEnd.get();
            double validatedRate = validated == null || last == null ? Double.NaN
                    : (last.validated() - validated.validated()) / ((last.nanoTime() - validated.nanoTime()) / 1e9);
            long results = end.resultsAccepted() - start.resultsAccepted();
            return new SwarmReport.Figures(validatedRate, results / seconds,
                    millis(requestWork, 50), millis(requestWork, 99), max(requestWork),
                    millis(report, 50), millis(report, 99), max(report),
                    hosts, metrics.registered.get(), seconds, end.tasksReceived() - start.tasksReceived(), results,
                    end.errors() - start.errors());
        }

        private static double millis(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }

        private static double max(Histogram h) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
        }
    }

    /** The progress line every few seconds: phase, hosts registered, results/s since the last line, errors, job. */
    private final class Progress {
        private final Metrics metrics;
        private final long jobId;
        private final long started;
        private long lastResults;
        private long lastNanos;
        volatile long windowStarted;

        Progress(Metrics metrics, long jobId, long started) {
            this.metrics = metrics;
            this.jobId = jobId;
            this.started = started;
            this.lastNanos = started;
        }

        void print() {
            try {
                long now = System.nanoTime();
                long results = metrics.resultsAccepted.sum();
                double rate = (results - lastResults) / ((now - lastNanos) / 1e9);
                lastResults = results;
                lastNanos = now;
                String when = switch (phase) {
                    case "window" -> "window " + (now - windowStarted) / 1_000_000_000L + "s/"
                            + options.duration().toSeconds() + "s";
                    default -> phase;
                };
                String job = "";
                if (jobId != 0) {
                    JobStatus status = readJobQuietly();
                    job = status == null ? ", job " + jobId + ": ?" : ", job " + jobId + " " + status.state() + ": "
                            + status.validated() + "/" + options.submit() + " validated";
                }
                progress.accept("swarm: " + (now - started) / 1_000_000_000L + "s " + when + ": "
                        + metrics.registered.get() + "/" + options.hosts() + " hosts registered, "
                        + metrics.working.get() + " with work, " + Numbers.format(rate) + " results/s, "
                        + metrics.errorCount() + " errors" + job);
            } catch (RuntimeException e) {
                progress.accept("swarm: progress failed: " + e);
            }
        }

        private JobStatus readJobQuietly() {
            try {
                return progressApi.job(jobId);
            } catch (ApiException e) {
                return null;
            }
        }
    }
}
