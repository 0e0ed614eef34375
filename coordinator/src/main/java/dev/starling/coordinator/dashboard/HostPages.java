package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostView;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.Paging;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/** Hosts: who computes, on what, how well, and whether it serves peers. */
@Controller
class HostPages {
    static final String LIST = "dashboard/hosts";
    static final int PAGE_SIZE = 50;

    private final HostTable hosts;
    private final DashboardQueries queries;
    private final Clock clock;
    /** a host heard from within this long is active: one lease, plus the lag of its recorded contact */
    private final Duration activeWindow;

    HostPages(HostTable hosts, DashboardQueries queries, Clock clock, StarlingProperties properties) {
        this.hosts = hosts;
        this.queries = queries;
        this.clock = clock;
        this.activeWindow = properties.dispatch().lease().plus(HostService.CONTACT_LAG);
    }

    @GetMapping("/dashboard/hosts")
    String list(@RequestParam(defaultValue = "recent") String sort, @RequestParam(defaultValue = "all") String show,
            @RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        HostTable.Order order = order(sort);
        if (!show.equals("all") && !show.equals("active")) {
            throw new BadRequestException("show", "must be all or active");
        }
        Paging.check(page, PAGE_SIZE);
        Instant activeSince = clock.instant().minus(activeWindow);
        HostTable.Counts counts = hosts.count(activeSince);
        boolean activeOnly = show.equals("active");
        List<HostView> shown = hosts.page(order, activeOnly ? activeSince : null, Paging.offset(page, PAGE_SIZE),
                PAGE_SIZE);
        model.addAttribute("hosts", shown);
        model.addAttribute("volunteers", queries.volunteerNames(
                shown.stream().map(HostView::volunteerId).filter(Objects::nonNull).distinct().toList()));
        model.addAttribute("counts", counts);
        model.addAttribute("activeSince", activeSince);
        model.addAttribute("activeWindow", Format.duration(activeWindow));
        model.addAttribute("sort", sort);
        model.addAttribute("show", show);
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, activeOnly ? counts.heard() : counts.total()));
        return Pages.view(LIST, hx);
    }

    private static HostTable.Order order(String sort) {
        try {
            return HostTable.Order.valueOf(sort.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("sort", "must be recent, id or invalid");
        }
    }
}
