package dev.starling.coordinator.host;

import dev.starling.coordinator.web.Page;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Hosts for the admin (admin only: see SecurityConfig): the list, one host, and what the admin may do to one. */
@RestController
class HostController {
    private final HostService hosts;
    private final HostModeration moderation;

    HostController(HostService hosts, HostModeration moderation) {
        this.hosts = hosts;
        this.moderation = moderation;
    }

    @GetMapping("/api/v1/hosts")
    Page<HostView> list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size) {
        return hosts.list(page, size);
    }

    @GetMapping({"/api/v1/hosts/{id}", "/api/v1/admin/hosts/{id}"})
    HostView get(@PathVariable long id) {
        return hosts.get(id);
    }

    /** A body with an optional reason. */
    record Reason(String reason) {}

    @PostMapping("/api/v1/admin/hosts/{id}/ban")
    HostView ban(@PathVariable long id, @RequestBody(required = false) Reason body) {
        return moderation.ban(id, body == null ? null : body.reason());
    }

    @PostMapping("/api/v1/admin/hosts/{id}/unban")
    HostView unban(@PathVariable long id) {
        return moderation.unban(id);
    }

    @PostMapping("/api/v1/admin/hosts/{id}/quarantine")
    HostView quarantine(@PathVariable long id, @RequestBody(required = false) Reason body) {
        return moderation.quarantine(id, body == null ? null : body.reason());
    }

    @PostMapping("/api/v1/admin/hosts/{id}/release")
    HostView release(@PathVariable long id) {
        return moderation.release(id);
    }

    @PostMapping("/api/v1/admin/hosts/{id}/rotate-token")
    HostView rotateToken(@PathVariable long id) {
        return moderation.rotateToken(id);
    }

    @PostMapping("/api/v1/admin/hosts/{id}/revoke-token")
    HostView revokeToken(@PathVariable long id) {
        return moderation.revokeToken(id);
    }
}
