package dev.starling.coordinator.account;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.WorkerVersions;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.volunteer.VolunteerService;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The page where a signed-in volunteer computes in a browser tab ({@code /volunteer}): a shell in the account pages'
 * layout whose {@code <main>} the page's ES modules ({@code /js/volunteer/main.js}) fill, with what they need in meta
 * tags (the CSRF token of Register, the protocol version, the browser limits). Its headers (cross-origin isolation, a
 * policy that lets WebAssembly be compiled) are the security rules' ({@code SecurityConfig}). A volunteer not signed
 * in is sent to sign in, and back here.
 */
@Controller
class VolunteerPage {
    static final String VIEW = "volunteer";

    private final VolunteerService volunteers;
    private final StarlingProperties.Browser limits;

    VolunteerPage(VolunteerService volunteers, StarlingProperties properties) {
        this.volunteers = volunteers;
        this.limits = properties.browser();
    }

    @GetMapping("/volunteer")
    String page(Caller caller, Model model) {
        model.addAttribute("me", volunteers.get(caller.id()));
        model.addAttribute("volunteerPage", true);
        model.addAttribute("protocol", WorkerVersions.NEWEST);
        model.addAttribute("limits", limits);
        return VIEW;
    }
}
