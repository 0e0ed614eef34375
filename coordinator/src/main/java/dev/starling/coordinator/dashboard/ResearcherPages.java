package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.researcher.IssuedKey;
import dev.starling.coordinator.researcher.ResearcherQuotas;
import dev.starling.coordinator.researcher.ResearcherService;
import dev.starling.coordinator.researcher.ResearcherView;
import dev.starling.coordinator.web.BadRequestException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Researchers and their API keys: create a researcher (with a first key), give one another key, revoke a key. A new
 * key is shown once, on the page the action redirects to; only its hash is kept. Each researcher's share of dispatch
 * and quotas, set here as over the admin API, beside what they use: their quotas, and the work units validated for
 * them lately (how the shares turn out).
 */
@Controller
class ResearcherPages {
    static final String LIST = "dashboard/researchers";
    static final int PAGE_SIZE = 50;
    /** how far back "validated lately" looks */
    static final Duration RECENT = Duration.ofMinutes(10);

    private final ResearcherService researchers;
    private final ResearcherQuotas quotas;
    private final DashboardQueries queries;
    private final Clock clock;

    ResearcherPages(ResearcherService researchers, ResearcherQuotas quotas, DashboardQueries queries, Clock clock) {
        this.researchers = researchers;
        this.quotas = quotas;
        this.queries = queries;
        this.clock = clock;
    }

    /** A researcher's share, quotas and use, and the work units validated for them lately. */
    public record Standing(ResearcherQuotas.View quotas, long validated) {}

    @GetMapping("/dashboard/researchers")
    String list(@RequestParam(defaultValue = "0") int page, Model model) {
        var list = researchers.list(page, PAGE_SIZE);
        Map<Long, Long> validated = queries.validatedByResearcher(clock.instant().minus(RECENT));
        Map<Long, Standing> standing = new HashMap<>();
        for (ResearcherView r : list.items()) {
            standing.put(r.id(), new Standing(quotas.view(r.id()), validated.getOrDefault(r.id(), 0L)));
        }
        model.addAttribute("researchers", list.items());
        model.addAttribute("standing", standing);
        model.addAttribute("validatedTotal", validated.values().stream().mapToLong(Long::longValue).sum());
        model.addAttribute("recentMinutes", RECENT.toMinutes());
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, list.total()));
        return LIST;
    }

    /** Sets the researcher's share and quotas from the page's form: an empty quota is no limit, an empty share 1. */
    @PostMapping("/dashboard/researchers/{id}/quotas")
    String setQuotas(@PathVariable long id, @RequestParam(defaultValue = "") String share,
            @RequestParam(defaultValue = "") String queuedWorkUnits, @RequestParam(defaultValue = "") String runningJobs,
            @RequestParam(defaultValue = "") String storedBytes, RedirectAttributes redirect) {
        try {
            var view = quotas.set(id, new ResearcherQuotas.Settings(number("share", share),
                    number("queuedWorkUnits", queuedWorkUnits), number("runningJobs", runningJobs),
                    number("storedBytes", storedBytes)));
            redirect.addFlashAttribute("notice", researchers.get(id).name() + " has a share of " + view.share()
                    + " and the quotas shown.");
        } catch (BadRequestException e) {
            BadRequestException.FieldError error = e.errors().get(0);
            redirect.addFlashAttribute("problem", "Nothing changed: " + error.field() + " " + error.message() + ".");
        }
        return "redirect:/dashboard/researchers";
    }

    /** A whole number typed in a form field; empty: null. */
    private static Long number(String field, String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (t.length() > 19 || !t.matches("-?[0-9]+")) {
            throw new BadRequestException(field, "must be a whole number, or empty");
        }
        return Long.parseLong(t);
    }

    @PostMapping("/dashboard/researchers")
    String create(@RequestParam(defaultValue = "") String name, RedirectAttributes redirect) {
        try {
            shown(researchers.create(name), redirect);
        } catch (BadRequestException e) {
            redirect.addFlashAttribute("problem", "The researcher's name " + e.errors().get(0).message() + ".");
        }
        return "redirect:/dashboard/researchers";
    }

    @PostMapping("/dashboard/researchers/{id}/keys")
    String newKey(@PathVariable long id, RedirectAttributes redirect) {
        shown(researchers.newKey(id), redirect);
        return "redirect:/dashboard/researchers";
    }

    @PostMapping("/dashboard/researchers/{id}/keys/{keyId}/revoke")
    String revoke(@PathVariable long id, @PathVariable long keyId, RedirectAttributes redirect) {
        researchers.revoke(id, keyId);
        redirect.addFlashAttribute("notice", "Key " + keyId + " of " + researchers.get(id).name()
                + " was revoked: calls made with it are refused from now on.");
        return "redirect:/dashboard/researchers";
    }

    private static void shown(IssuedKey key, RedirectAttributes redirect) {
        redirect.addFlashAttribute("issued", key);
    }
}
