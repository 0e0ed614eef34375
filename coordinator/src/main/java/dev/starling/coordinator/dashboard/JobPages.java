package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.activity.ActivityTable;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobService;
import dev.starling.coordinator.job.JobState;
import dev.starling.coordinator.job.JobTable;
import dev.starling.coordinator.job.JobView;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.Paging;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Jobs: the list, a job's page, and cancelling it. */
@Controller
class JobPages {
    static final String LIST = "dashboard/jobs";
    static final String DETAIL = "dashboard/job";
    static final int PAGE_SIZE = 25;
    static final int FAILURES_SHOWN = 10;
    /** The tasks in flight a job page lists, with their progress. */
    static final int RUNNING_SHOWN = 10;

    /** The list's tabs: which states each shows. */
    static final Map<String, Set<JobState>> FILTERS = new LinkedHashMap<>();

    static {
        FILTERS.put("all", EnumSet.allOf(JobState.class));
        FILTERS.put("active", EnumSet.of(JobState.QUEUED, JobState.RUNNING));
        FILTERS.put("succeeded", EnumSet.of(JobState.SUCCEEDED));
        FILTERS.put("failed", EnumSet.of(JobState.FAILED));
        FILTERS.put("cancelled", EnumSet.of(JobState.CANCELLED));
    }

    private final JobTable jobs;
    private final JobService jobService;
    private final ActivityTable activity;
    private final TransferLedger transfers;
    private final DashboardQueries queries;

    JobPages(JobTable jobs, JobService jobService, ActivityTable activity, TransferLedger transfers,
            DashboardQueries queries) {
        this.jobs = jobs;
        this.jobService = jobService;
        this.activity = activity;
        this.transfers = transfers;
        this.queries = queries;
    }

    @GetMapping("/dashboard/jobs")
    String list(@RequestParam(defaultValue = "all") String show, @RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        Set<JobState> states = FILTERS.get(show);
        if (states == null) {
            throw new BadRequestException("show", "must be one of " + String.join(", ", FILTERS.keySet()));
        }
        Paging.check(page, PAGE_SIZE);
        Map<JobState, Long> byState = jobs.countByState();
        Map<String, Long> tabs = new LinkedHashMap<>();
        FILTERS.forEach((name, in) -> tabs.put(name, in.stream().mapToLong(s -> byState.getOrDefault(s, 0L)).sum()));
        List<Job> list = jobs.page(states, Paging.offset(page, PAGE_SIZE), PAGE_SIZE);
        var totals = activity.totals(list.stream().map(Job::id).toList());
        model.addAttribute("jobs", list.stream().map(j -> JobProgress.of(j, totals.getOrDefault(j.id(), List.of())))
                .toList());
        model.addAttribute("show", show);
        model.addAttribute("tabs", tabs);
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, tabs.get(show)));
        return Pages.view(LIST, hx);
    }

    @GetMapping("/dashboard/jobs/{id}")
    String detail(@PathVariable long id, @RequestHeader(value = Pages.HX_REQUEST, required = false) String hx,
            Model model) {
        Job job = jobService.get(id, Caller.ADMIN);
        JobProgress progress = JobProgress.of(job, activity.totals(List.of(id)).getOrDefault(id, List.of()));
        model.addAttribute("p", progress);
        model.addAttribute("job", job);
        model.addAttribute("inFlight", job.state().isFinal() ? null : queries.inFlight(id));
        model.addAttribute("running", job.state().isFinal() ? List.of() : queries.running(id, RUNNING_SHOWN));
        model.addAttribute("failures", queries.recentFailures(id, FAILURES_SHOWN));
        model.addAttribute("failedWorkUnits", queries.failedWorkUnits(id, FAILURES_SHOWN));
        model.addAttribute("waiting", jobService.waiting(job).orElse(null));
        if (job.retention() != null) {
            // purged (or being purged): the job's row keeps what its work units and transfer rows said
            JobView view = jobService.view(id, Caller.ADMIN);
            model.addAttribute("transfer", view.transfer());
            model.addAttribute("archive", view.archive());
            if (view.failedWorkUnits() != null) {
                model.addAttribute("failedWorkUnits", view.failedWorkUnits().stream()
                        .map(f -> new DashboardQueries.FailedWorkUnit(f.stage(), f.index(), f.error(), job.finishedAt()))
                        .toList());
            }
        } else {
            model.addAttribute("transfer", transfers.totals(List.of(id)).get(id));
        }
        return Pages.view(DETAIL, hx);
    }

    @PostMapping("/dashboard/jobs/{id}/cancel")
    String cancel(@PathVariable long id, RedirectAttributes redirect) {
        try {
            jobService.cancel(id, Caller.ADMIN);
            redirect.addFlashAttribute("notice", "Job " + id + " was cancelled; workers drop its tasks at their next heartbeat.");
        } catch (ConflictException e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/dashboard/jobs/" + id;
    }
}
