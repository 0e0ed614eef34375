package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostModeration;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostView;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.Paging;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.BiFunction;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Hosts: who computes, on what, how well, whether it serves peers, and the admin's bans and quarantines. */
@Controller
class HostPages {
    static final String LIST = "dashboard/hosts";
    static final int PAGE_SIZE = 50;

    private final HostTable hosts;
    private final HostModeration moderation;
    private final Clock clock;
    /** a host heard from within this long is active: one lease, plus the lag of its recorded contact */
    private final Duration activeWindow;

    HostPages(HostTable hosts, HostModeration moderation, Clock clock, StarlingProperties properties) {
        this.hosts = hosts;
        this.moderation = moderation;
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
        model.addAttribute("hosts", hosts.page(order, activeOnly ? activeSince : null, Paging.offset(page, PAGE_SIZE),
                PAGE_SIZE));
        model.addAttribute("counts", counts);
        model.addAttribute("activeSince", activeSince);
        model.addAttribute("activeWindow", Format.duration(activeWindow));
        model.addAttribute("sort", sort);
        model.addAttribute("show", show);
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, activeOnly ? counts.heard() : counts.total()));
        return Pages.view(LIST, hx);
    }

    /**
     * What the admin does to a host: ban (its calls are refused), unban, quarantine (its results need a partner in
     * good standing, it gets fewer tasks a day), release, rotate or revoke its token. Answers the hosts page it was
     * done from, with a notice.
     */
    @PostMapping("/dashboard/hosts/{id}/{action}")
    String moderate(@PathVariable long id, @PathVariable String action, @RequestParam(required = false) String reason,
            @RequestParam(defaultValue = "recent") String sort, @RequestParam(defaultValue = "all") String show,
            RedirectAttributes redirect) {
        BiFunction<Long, String, HostView> act = switch (action) {
            case "ban" -> moderation::ban;
            case "unban" -> (host, why) -> moderation.unban(host);
            case "quarantine" -> moderation::quarantine;
            case "release" -> (host, why) -> moderation.release(host);
            case "rotate-token" -> (host, why) -> moderation.rotateToken(host);
            case "revoke-token" -> (host, why) -> moderation.revokeToken(host);
            default -> throw new NotFoundException("no action " + action + " on hosts");
        };
        try {
            HostView h = act.apply(id, reason);
            redirect.addFlashAttribute("notice", switch (action) {
                case "ban" -> "Host " + h.name() + " #" + id + " is banned (" + h.banReason()
                        + "): its calls are refused, at once here and within a minute on other coordinators.";
                case "unban" -> "Host " + h.name() + " #" + id + " is no longer banned.";
                case "quarantine" -> "Host " + h.name() + " #" + id + " is quarantined (" + h.quarantineReason()
                        + "): its results need a partner in good standing and it gets fewer tasks a day.";
                case "rotate-token" -> "Host " + h.name() + " #" + id + " is asked to replace its token at its next"
                        + " call; the old one works until it has.";
                case "revoke-token" -> "Host " + h.name() + " #" + id + "'s token is revoked: its calls are refused"
                        + " until it registers again with its volunteer's account key.";
                default -> "Host " + h.name() + " #" + id + " is released from quarantine.";
            });
        } catch (BadRequestException e) {
            redirect.addFlashAttribute("problem", "The reason " + e.errors().get(0).message() + ".");
        }
        redirect.addAttribute("sort", order(sort).name().toLowerCase(Locale.ROOT));
        redirect.addAttribute("show", show.equals("active") ? "active" : "all");
        return "redirect:/dashboard/hosts";
    }

    private static HostTable.Order order(String sort) {
        try {
            return HostTable.Order.valueOf(sort.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("sort", "must be recent, id or invalid");
        }
    }
}
