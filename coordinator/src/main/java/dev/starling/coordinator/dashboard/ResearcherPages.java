package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.researcher.IssuedKey;
import dev.starling.coordinator.researcher.ResearcherService;
import dev.starling.coordinator.web.BadRequestException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Researchers and their API keys: create a researcher (with a first key), give one another key, revoke a key. A new
 * key is shown once, on the page the action redirects to; only its hash is kept.
 */
@Controller
class ResearcherPages {
    static final String LIST = "dashboard/researchers";
    static final int PAGE_SIZE = 50;

    private final ResearcherService researchers;

    ResearcherPages(ResearcherService researchers) {
        this.researchers = researchers;
    }

    @GetMapping("/dashboard/researchers")
    String list(@RequestParam(defaultValue = "0") int page, Model model) {
        var list = researchers.list(page, PAGE_SIZE);
        model.addAttribute("researchers", list.items());
        model.addAttribute("paging", new PageLinks(page, PAGE_SIZE, list.total()));
        return LIST;
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
