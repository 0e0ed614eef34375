package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.volunteer.Leaderboard;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/** Volunteers: the leaderboard, by credit for validated results. */
@Controller
class VolunteerPages {
    static final String LIST = "dashboard/volunteers";
    static final int PAGE_SIZE = 50;

    private final Leaderboard leaderboard;

    VolunteerPages(Leaderboard leaderboard) {
        this.leaderboard = leaderboard;
    }

    @GetMapping("/dashboard/volunteers")
    String list(@RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        var entries = leaderboard.page(page, PAGE_SIZE);
        model.addAttribute("entries", entries.items());
        model.addAttribute("top", entries.items().isEmpty() || page > 0 ? 0 : entries.items().get(0).credit());
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, entries.total()));
        return Pages.view(LIST, hx);
    }
}
