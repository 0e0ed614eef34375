package dev.starling.coordinator.security;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The admin's login page; Spring Security handles the form's POST and {@code /logout}. */
@Controller
class LoginController {
    static final String VIEW = "login";

    @GetMapping("/login")
    String login(@RequestParam(required = false) String error, @RequestParam(required = false) String locked,
            @RequestParam(required = false) String logout, Model model) {
        if (locked != null) {
            model.addAttribute("message", "Too many failed logins from this address. Try again later.");
        } else if (error != null) {
            model.addAttribute("message", "Wrong user name or password.");
        } else if (logout != null) {
            model.addAttribute("info", "You are logged out.");
        }
        return VIEW;
    }
}
