package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.host.HostView;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.Page;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Sign-up, a volunteer's own view and key, and the admin's list of volunteers. */
@RestController
class VolunteerController {
    private final VolunteerService volunteers;
    private final PeerAddresses addresses;

    VolunteerController(VolunteerService volunteers, PeerAddresses addresses) {
        this.volunteers = volunteers;
        this.addresses = addresses;
    }

    record SignUpRequest(String name, String email) {}

    @ResponseStatus(HttpStatus.CREATED)
    @PostMapping(value = "/api/v1/volunteers", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<VolunteerService.SignedUp> signUp(@RequestBody SignUpRequest request,
            @Parameter(hidden = true) Optional<Caller> caller, HttpServletRequest http) {
        // the socket's address, or through a trusted proxy (starling.peers.trusted-proxies) the one it forwards
        InetAddress from = addresses.client(http);
        VolunteerService.SignedUp done = volunteers.signUp(request.name(), request.email(), caller,
                from == null ? null : from.getHostAddress());
        return ResponseEntity.created(URI.create("/api/v1/volunteers/me")).body(done);
    }

    /** What a volunteer sees of themselves: figures, their ban if any, and their hosts with theirs. */
    record MeView(long id, String name, String email, java.time.Instant createdAt, long validResults, double credit,
            java.time.Instant bannedAt, String banReason, List<HostView> hosts) {}

    @GetMapping("/api/v1/volunteers/me")
    MeView me(Caller caller) {
        VolunteerService.Me me = volunteers.me(caller.id());
        VolunteerView v = me.volunteer();
        return new MeView(v.id(), v.name(), v.email(), v.createdAt(), v.validResults(), v.credit(), v.bannedAt(),
                v.banReason(), me.hosts());
    }

    record NewKey(String accountKey) {}

    @PostMapping("/api/v1/volunteers/me/key")
    NewKey rotate(Caller caller) {
        return new NewKey(volunteers.rotateKey(caller.id()));
    }

    @GetMapping("/api/v1/admin/volunteers")
    Page<VolunteerView> list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size) {
        return volunteers.list(page, size);
    }

    /** A body with an optional reason. */
    record Reason(String reason) {}

    @PostMapping("/api/v1/admin/volunteers/{id}/ban")
    VolunteerView ban(@PathVariable long id, @RequestBody(required = false) Reason body) {
        return volunteers.ban(id, body == null ? null : body.reason());
    }

    @PostMapping("/api/v1/admin/volunteers/{id}/unban")
    VolunteerView unban(@PathVariable long id) {
        return volunteers.unban(id);
    }
}
