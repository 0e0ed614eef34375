package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.host.VolunteerHosts;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * A volunteer's account over the REST API (their account key, or their web session with its CSRF token): their web
 * password, their hosts with what each runs, pause, resume, rename and retire, and their credit history.
 */
@RestController
class AccountController {
    static final int MAX_HISTORY_DAYS = 366;

    private final VolunteerPasswords passwords;
    private final VolunteerHosts hosts;
    private final AccountPreferences preferences;

    AccountController(VolunteerPasswords passwords, VolunteerHosts hosts, AccountPreferences preferences) {
        this.passwords = passwords;
        this.hosts = hosts;
        this.preferences = preferences;
    }

    record Password(String password) {}

    @ResponseStatus(HttpStatus.NO_CONTENT)
    @PutMapping(value = "/api/v1/volunteers/me/password", consumes = MediaType.APPLICATION_JSON_VALUE)
    void password(Caller caller, @RequestBody Password body) {
        passwords.set(caller.id(), body.password());
    }

    @GetMapping("/api/v1/volunteers/me/hosts")
    List<VolunteerHosts.Mine> hosts(Caller caller) {
        return hosts.of(caller.id());
    }

    record Changed(int hosts) {}

    @PostMapping("/api/v1/volunteers/me/hosts/{action:pause|resume}")
    Changed all(Caller caller, @PathVariable String action) {
        return new Changed(control(caller, action, Optional.empty()));
    }

    @PostMapping("/api/v1/volunteers/me/hosts/{id}/{action:pause|resume}")
    Changed one(Caller caller, @PathVariable long id, @PathVariable String action) {
        return new Changed(control(caller, action, Optional.of(id)));
    }

    private int control(Caller caller, String action, Optional<Long> host) {
        return action.equals("pause") ? hosts.pause(caller.id(), host) : hosts.resume(caller.id(), host);
    }

    record Name(String name) {}

    @ResponseStatus(HttpStatus.NO_CONTENT)
    @PutMapping(value = "/api/v1/volunteers/me/hosts/{id}/name", consumes = MediaType.APPLICATION_JSON_VALUE)
    void rename(Caller caller, @PathVariable long id, @RequestBody Name body) {
        hosts.rename(caller.id(), id, body.name());
    }

    @ResponseStatus(HttpStatus.NO_CONTENT)
    @PostMapping("/api/v1/volunteers/me/hosts/{id}/retire")
    void retire(Caller caller, @PathVariable long id) {
        hosts.retire(caller.id(), id);
    }

    @GetMapping("/api/v1/volunteers/me/credit")
    List<VolunteerHosts.Day> credit(Caller caller, @RequestParam(defaultValue = "30") int days) {
        if (days < 1 || days > MAX_HISTORY_DAYS) {
            throw new BadRequestException("days", "must be from 1 to " + MAX_HISTORY_DAYS);
        }
        return hosts.history(caller.id(), days);
    }

    /** The volunteer's preferences by venue, and each host's venue. */
    @GetMapping("/api/v1/volunteers/me/preferences")
    AccountPreferences.Account preferences(Caller caller) {
        return preferences.of(caller.id());
    }

    /** Replaces the preferences of a venue: a JSON object of keys and values (strings, numbers or booleans). */
    @PutMapping(value = "/api/v1/volunteers/me/preferences/{venue}", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, String> setPreferences(Caller caller, @PathVariable String venue,
            @RequestBody Map<String, JsonNode> body) {
        Map<String, String> given = new LinkedHashMap<>();
        body.forEach((key, value) -> {
            if (value != null && !value.isNull() && !value.isValueNode()) {
                throw new BadRequestException(key, "must be a string, a number or a boolean");
            }
            given.put(key, value == null || value.isNull() ? null : value.asString());
        });
        return preferences.set(caller.id(), venue, given);
    }

    @ResponseStatus(HttpStatus.NO_CONTENT)
    @DeleteMapping("/api/v1/volunteers/me/preferences/{venue}")
    void removePreferences(Caller caller, @PathVariable String venue) {
        preferences.remove(caller.id(), venue);
    }

    record Venue(String venue) {}

    @ResponseStatus(HttpStatus.NO_CONTENT)
    @PutMapping(value = "/api/v1/volunteers/me/hosts/{id}/venue", consumes = MediaType.APPLICATION_JSON_VALUE)
    void venue(Caller caller, @PathVariable long id, @RequestBody Venue body) {
        preferences.venue(caller.id(), id, body.venue() == null ? "" : body.venue());
    }
}
