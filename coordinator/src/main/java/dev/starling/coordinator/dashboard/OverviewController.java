package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.activity.ActivityTable;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobTable;
import dev.starling.coordinator.metrics.DomainMeters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;

/** The overview: throughput charts, hosts, work in flight and the running jobs. */
@Controller
class OverviewController {
    static final String VIEW = "dashboard/overview";
    /** the "now" rates average over this many minutes */
    static final int RATE_MINUTES = 5;

    private final JobTable jobs;
    private final HostTable hosts;
    private final ActivityTable activity;
    private final DashboardQueries queries;
    private final DomainMeters meters;
    private final Clock clock;
    /** a host heard from within this long is active: one lease, plus the lag of its recorded contact */
    private final Duration activeWindow;

    OverviewController(JobTable jobs, HostTable hosts, ActivityTable activity, DashboardQueries queries,
            DomainMeters meters, Clock clock, StarlingProperties properties) {
        this.meters = meters;
        this.jobs = jobs;
        this.hosts = hosts;
        this.activity = activity;
        this.queries = queries;
        this.clock = clock;
        this.activeWindow = properties.dispatch().lease().plus(HostService.CONTACT_LAG);
    }

    /** Validated work units and judged results per minute, over the last few minutes (the current one in part). */
    public record Rates(double validated, double results) {}

    @GetMapping("/dashboard")
    String overview(@RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        Instant now = clock.instant();
        List<Job> active = jobs.active();
        var totals = activity.totals(active.stream().map(Job::id).toList());
        List<JobProgress> running = active.stream().map(j -> JobProgress.of(j, totals.getOrDefault(j.id(), List.of())))
                .toList();
        model.addAttribute("running", running);
        model.addAttribute("openWorkUnits", running.stream().mapToLong(JobProgress::open).sum());
        // the metrics' snapshot (at most 10 s old): counting unsent replicas is not for every refresh
        model.addAttribute("unsentTasks", meters.current().unsent());
        model.addAttribute("hosts", hosts.count(now.minus(activeWindow)));
        model.addAttribute("activeWindow", Format.duration(activeWindow));
        model.addAttribute("inFlight", queries.inFlight(null));
        model.addAttribute("rates", rates(activity.perMinute(now.minus(Duration.ofMinutes(RATE_MINUTES - 1)), now, null),
                now));
        return Pages.view(VIEW, hx);
    }

    /** Per minute over the complete minutes and the part of the current one that has passed. */
    static Rates rates(List<ActivityTable.Minute> minutes, Instant now) {
        long validated = 0, results = 0;
        for (ActivityTable.Minute m : minutes) {
            validated += m.validated();
            results += m.results();
        }
        double current = (now.getEpochSecond() % 60 + now.getNano() / 1e9) / 60;
        double span = Math.max(minutes.size() - 1 + current, 1.0 / 60);
        return new Rates(validated / span, results / span);
    }
}
