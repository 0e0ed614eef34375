package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.volunteer.Leaderboard;
import dev.starling.coordinator.volunteer.VolunteerService;
import dev.starling.coordinator.volunteer.VolunteerView;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Volunteers: the leaderboard, by credit for validated results, and the admin's bans. */
@Controller
class VolunteerPages {
    static final String LIST = "dashboard/volunteers";
    static final int PAGE_SIZE = 50;

    private final Leaderboard leaderboard;
    private final VolunteerService volunteers;

    VolunteerPages(Leaderboard leaderboard, VolunteerService volunteers) {
        this.leaderboard = leaderboard;
        this.volunteers = volunteers;
    }

    @GetMapping("/dashboard/volunteers")
    String list(@RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        var entries = leaderboard.page(page, PAGE_SIZE);
        model.addAttribute("entries", entries.items());
        model.addAttribute("bans", volunteers.bans(entries.items().stream().map(Leaderboard.Entry::volunteerId).toList()));
        model.addAttribute("top", entries.items().isEmpty() || page > 0 ? 0 : entries.items().get(0).credit());
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, entries.total()));
        return Pages.view(LIST, hx);
    }

    /**
     * The admin bans a volunteer (the calls of all their hosts and registrations with their key are refused) or lifts
     * the ban; answers the volunteers page it was done from, with a notice.
     */
    @PostMapping("/dashboard/volunteers/{id}/{action}")
    String moderate(@PathVariable long id, @PathVariable String action, @RequestParam(required = false) String reason,
            @RequestParam(defaultValue = "0") int page, RedirectAttributes redirect) {
        try {
            VolunteerView v = switch (action) {
                case "ban" -> volunteers.ban(id, reason);
                case "unban" -> volunteers.unban(id);
                default -> throw new NotFoundException("no action " + action + " on volunteers");
            };
            redirect.addFlashAttribute("notice", v.bannedAt() != null
                    ? "Volunteer " + v.name() + " #" + id + " is banned (" + v.banReason() + "): the calls of their "
                            + v.hosts() + " hosts and registrations with their key are refused."
                    : "Volunteer " + v.name() + " #" + id + " is no longer banned.");
        } catch (BadRequestException e) {
            redirect.addFlashAttribute("problem", "The reason " + e.errors().get(0).message() + ".");
        }
        redirect.addAttribute("page", Math.max(0, page));
        return "redirect:/dashboard/volunteers";
    }
}
