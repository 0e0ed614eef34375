package dev.starling.coordinator.account;

import dev.starling.coordinator.host.VolunteerHosts;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.volunteer.AccountPreferences;
import dev.starling.coordinator.volunteer.PreferenceKeys;
import dev.starling.coordinator.volunteer.VolunteerPasswords;
import dev.starling.coordinator.volunteer.VolunteerService;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.ForbiddenException;
import dev.starling.coordinator.web.TooManyRequestsException;
import dev.starling.coordinator.web.UnauthenticatedException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A volunteer's pages: sign-up (where sign-up is open: an account with its web password at once), sign-in (the form
 * posts to {@code /login}, as the admin's does), setting the web password with the account key, and their account: their hosts, live, which they pause, resume, rename and retire, their
 * credit history, and their account key, which they rotate. Forms post and redirect with a notice.
 */
@Controller
class AccountPages {
    static final String LOGIN = "account/login";
    static final String PASSWORD = "account/password";
    static final String SIGN_UP = "account/signup";
    static final String HOME = "account/home";
    static final String HX_REQUEST = "HX-Request";

    private final VolunteerService volunteers;
    private final VolunteerPasswords passwords;
    private final VolunteerHosts hosts;
    private final AccountPreferences preferences;
    private final PeerAddresses addresses;

    AccountPages(VolunteerService volunteers, VolunteerPasswords passwords, VolunteerHosts hosts,
            AccountPreferences preferences, PeerAddresses addresses) {
        this.addresses = addresses;
        this.volunteers = volunteers;
        this.passwords = passwords;
        this.hosts = hosts;
        this.preferences = preferences;
    }

    @GetMapping("/account/login")
    String login(@RequestParam(required = false) String error, @RequestParam(required = false) String locked,
            @RequestParam(required = false) String logout, Model model) {
        if (locked != null) {
            model.addAttribute("message", "Too many failed sign-ins from this address: try again later.");
        } else if (error != null) {
            model.addAttribute("message", "Wrong email or password.");
        } else if (logout != null) {
            model.addAttribute("info", "You are signed out.");
        }
        return LOGIN;
    }

    @GetMapping("/account/signup")
    String signUpForm(Model model) {
        model.addAttribute("open", volunteers.signUpOpen());
        return SIGN_UP;
    }

    /**
     * Signs a visitor up, with the web password they chose, under the same rules as {@code POST /api/v1/volunteers}
     * (open sign-up, the per-address limit); the page then shows the account key once, for their workers. Nothing is
     * stored when the password or a field is refused.
     */
    @PostMapping("/account/signup")
    String signUp(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String password, HttpServletRequest http, Model model) {
        model.addAttribute("open", volunteers.signUpOpen());
        model.addAttribute("name", name.length() > 200 ? "" : name);
        model.addAttribute("email", email.length() > 200 ? "" : email);
        Optional<String> weak = VolunteerPasswords.problem(password);
        if (weak.isPresent()) {
            model.addAttribute("message", "The password " + weak.get() + ".");
            return SIGN_UP;
        }
        // the socket's address, or through a trusted proxy (starling.peers.trusted-proxies) the one it forwards
        InetAddress from = addresses.client(http);
        VolunteerService.SignedUp done;
        try {
            done = volunteers.signUp(name, email, Optional.empty(), from == null ? null : from.getHostAddress());
        } catch (BadRequestException e) {
            BadRequestException.FieldError first = e.errors().get(0);
            model.addAttribute("message", "The " + first.field() + " " + first.message() + ".");
            return SIGN_UP;
        } catch (ConflictException | TooManyRequestsException | UnauthenticatedException | ForbiddenException e) {
            model.addAttribute("message", capitalized(e.getMessage()) + ".");
            return SIGN_UP;
        }
        passwords.set(done.id(), password);
        model.addAttribute("signedUp", done);
        return SIGN_UP;
    }

    private static String capitalized(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @GetMapping("/account/password")
    String passwordForm() {
        return PASSWORD;
    }

    /** Sets the web password of the volunteer whose account key is given (a forgotten password is reset so). */
    @PostMapping("/account/password")
    String setPassword(@RequestParam(defaultValue = "") String accountKey, @RequestParam(defaultValue = "") String password,
            Model model, RedirectAttributes redirect) {
        Optional<Long> volunteer = accountKey.length() > 200 ? Optional.empty() : volunteers.volunteerOf(accountKey.strip());
        if (volunteer.isEmpty()) {
            model.addAttribute("message", "That is not a current account key (sv_...): a rotated key no longer works.");
            return PASSWORD;
        }
        try {
            passwords.set(volunteer.get(), password);
        } catch (BadRequestException e) {
            model.addAttribute("message", "The password " + e.errors().get(0).message() + ".");
            return PASSWORD;
        }
        redirect.addFlashAttribute("info", "Your password is set: sign in with your email ("
                + volunteers.get(volunteer.get()).email() + ") and it.");
        return "redirect:/account/login";
    }

    @GetMapping("/account")
    String home(Caller caller, @RequestHeader(value = HX_REQUEST, required = false) String hx, Model model) {
        List<VolunteerHosts.Mine> mine = hosts.of(caller.id());
        model.addAttribute("me", volunteers.get(caller.id()));
        model.addAttribute("hosts", mine);
        model.addAttribute("paused", mine.stream().filter(h -> h.pausedAt() != null).count());
        model.addAttribute("account", preferences.of(caller.id()));
        model.addAttribute("venues", PreferenceKeys.VENUES);
        model.addAttribute("keys", PreferenceKeys.keys());
        return hx == null ? HOME : HOME + " :: live";
    }

    /** Replaces a venue's preferences with the form's fields (blank ones are not set by the account). */
    @PostMapping("/account/preferences/{venue}")
    String setPreferences(Caller caller, @PathVariable String venue, @RequestParam Map<String, String> form,
            RedirectAttributes redirect) {
        Map<String, String> given = new LinkedHashMap<>();
        PreferenceKeys.keys().forEach(key -> given.put(key, form.get(key)));
        if (form.containsKey("idleOnly") || form.containsKey("idleOnlySet")) {
            given.put("idleOnly", Boolean.toString(form.containsKey("idleOnly")));
        }
        try {
            Map<String, String> set = preferences.set(caller.id(), venue, given);
            redirect.addFlashAttribute("notice", "Your " + venue + " preferences are saved (" + set.size() + " set): "
                    + "your hosts take them at their next contact with the coordinator.");
        } catch (BadRequestException e) {
            redirect.addFlashAttribute("problem", "Nothing was saved: " + e.getMessage() + ".");
        }
        return "redirect:/account";
    }

    @PostMapping("/account/hosts/{id}/venue")
    String venue(Caller caller, @PathVariable long id, @RequestParam(defaultValue = "") String venue,
            RedirectAttributes redirect) {
        preferences.venue(caller.id(), id, venue);
        redirect.addFlashAttribute("notice", "Host #" + id + " is now in the " + venue + " venue.");
        return "redirect:/account";
    }

    @PostMapping("/account/hosts/{action:pause|resume}")
    String all(Caller caller, @PathVariable String action, RedirectAttributes redirect) {
        int n = action.equals("pause") ? hosts.pause(caller.id(), Optional.empty())
                : hosts.resume(caller.id(), Optional.empty());
        redirect.addFlashAttribute("notice", action.equals("pause")
                ? n + " host" + (n == 1 ? "" : "s") + " paused: running tasks are suspended, and resume where they"
                        + " stopped when you resume."
                : n + " host" + (n == 1 ? "" : "s") + " resumed.");
        return "redirect:/account";
    }

    @PostMapping("/account/hosts/{id}/{action:pause|resume|retire}")
    String one(Caller caller, @PathVariable long id, @PathVariable String action, RedirectAttributes redirect) {
        switch (action) {
            case "pause" -> {
                hosts.pause(caller.id(), Optional.of(id));
                redirect.addFlashAttribute("notice", "Host #" + id + " is paused: its running tasks are suspended at its"
                        + " next contact with the coordinator.");
            }
            case "resume" -> {
                hosts.resume(caller.id(), Optional.of(id));
                redirect.addFlashAttribute("notice", "Host #" + id + " computes again.");
            }
            default -> {
                hosts.retire(caller.id(), id);
                redirect.addFlashAttribute("notice", "Host #" + id + " is retired: its worker is refused from now on.");
            }
        }
        return "redirect:/account";
    }

    @PostMapping("/account/hosts/{id}/rename")
    String rename(Caller caller, @PathVariable long id, @RequestParam(defaultValue = "") String name,
            RedirectAttributes redirect) {
        try {
            hosts.rename(caller.id(), id, name);
            redirect.addFlashAttribute("notice", name.isBlank() ? "Host #" + id + " shows its worker's name again."
                    : "Host #" + id + " is now called " + name.strip() + ".");
        } catch (BadRequestException e) {
            redirect.addFlashAttribute("problem", "The name " + e.errors().get(0).message() + ".");
        }
        return "redirect:/account";
    }

    /** A new account key, shown once; the old one stops working (running hosts go on). */
    @PostMapping("/account/key")
    String rotate(Caller caller, RedirectAttributes redirect) {
        redirect.addFlashAttribute("newKey", volunteers.rotateKey(caller.id()));
        return "redirect:/account";
    }
}
