package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.host.HostTable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;

/** Validation: outvoted and inconclusive results, and the hosts whose results are found invalid most. */
@Controller
class ValidationPage {
    static final String VIEW = "dashboard/validation";
    static final int SHOWN = 15;
    /** "1,000+ work units waiting for a tie-breaker" */
    static final int INCONCLUSIVE_CAP = 1000;

    private final DashboardQueries queries;
    private final HostTable hosts;

    ValidationPage(DashboardQueries queries, HostTable hosts) {
        this.queries = queries;
        this.hosts = hosts;
    }

    @GetMapping("/dashboard/validation")
    String validation(@RequestHeader(value = Pages.HX_REQUEST, required = false) String hx, Model model) {
        model.addAttribute("disagreements", queries.recentDisagreements(SHOWN));
        long inconclusive = queries.inconclusiveWorkUnits(INCONCLUSIVE_CAP);
        model.addAttribute("inconclusive", inconclusive > INCONCLUSIVE_CAP ? INCONCLUSIVE_CAP : inconclusive);
        model.addAttribute("inconclusiveMore", inconclusive > INCONCLUSIVE_CAP);
        model.addAttribute("suspects", hosts.page(HostTable.Order.INVALID, null, 0, SHOWN).stream()
                .filter(h -> h.invalidCount() > 0).toList());
        return Pages.view(VIEW, hx);
    }
}
