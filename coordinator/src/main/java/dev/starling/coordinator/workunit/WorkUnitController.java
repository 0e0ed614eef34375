package dev.starling.coordinator.workunit;

import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.job.JobService;
import dev.starling.coordinator.web.Paging;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class WorkUnitController {
    private final JobService jobs;
    private final WorkUnitQueries listing;

    WorkUnitController(JobService jobs, WorkUnitQueries listing) {
        this.jobs = jobs;
        this.listing = listing;
    }

    @GetMapping("/api/v1/jobs/{id}/workunits")
    Page<WorkUnitQueries.WorkUnitView> list(@PathVariable long id,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size, Caller caller) {
        Paging.check(page, size);
        jobs.get(id, caller); // 404 for an unknown job, or another researcher's
        return new Page<>(listing.page(id, Paging.offset(page, size), size), page, size, listing.count(id));
    }
}
