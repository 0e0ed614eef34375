package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.activity.ActivityTable;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobService;
import dev.starling.coordinator.security.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The charts' data: per minute, work units decided and results judged, of all jobs or of one. */
@RestController
class ThroughputController {
    private final ActivityTable activity;
    private final JobService jobs;
    private final Clock clock;
    private final int minutes;

    ThroughputController(ActivityTable activity, JobService jobs, Clock clock, DashboardProperties properties) {
        this.activity = activity;
        this.jobs = jobs;
        this.clock = clock;
        this.minutes = properties.chartMinutes();
    }

    /** Parallel arrays, one entry per minute, oldest first; {@code minutes} are epoch milliseconds. */
    record Series(List<Long> minutes, List<Long> validated, List<Long> failed, List<Long> valid, List<Long> invalid,
            List<Long> errors, List<Long> timedOut) {}

    /**
     * The last minutes of all jobs; or of one job, from when it was submitted (at most the last minutes) until now,
     * or until it finished.
     */
    @GetMapping("/dashboard/throughput")
    Series throughput(@RequestParam(required = false) Long job) {
        Instant to = clock.instant();
        Instant from = to.minus(Duration.ofMinutes(minutes - 1));
        if (job != null) {
            Job j = jobs.get(job, Caller.ADMIN);
            to = j.finishedAt() == null ? to : j.finishedAt();
            from = latest(to.minus(Duration.ofMinutes(minutes - 1)), j.createdAt());
        }
        List<ActivityTable.Minute> m = activity.perMinute(from, to, job);
        return new Series(m.stream().map(x -> x.minute().toEpochMilli()).toList(),
                m.stream().map(ActivityTable.Minute::validated).toList(),
                m.stream().map(ActivityTable.Minute::failed).toList(),
                m.stream().map(ActivityTable.Minute::valid).toList(),
                m.stream().map(ActivityTable.Minute::invalid).toList(),
                m.stream().map(ActivityTable.Minute::errors).toList(),
                m.stream().map(ActivityTable.Minute::timedOut).toList());
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
