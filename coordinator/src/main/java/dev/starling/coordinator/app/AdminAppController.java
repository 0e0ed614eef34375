package dev.starling.coordinator.app;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin's say over deployed app versions (admin only: see SecurityConfig): disable (no new jobs; running ones go
 * on), enable again, revoke (for good: its jobs are cancelled, workers drop its tasks at their next contact).
 */
@RestController
@RequestMapping("/api/v1/admin/apps/{name}/versions/{version}")
class AdminAppController {
    private final DeployedApps deployed;

    AdminAppController(DeployedApps deployed) {
        this.deployed = deployed;
    }

    /** A body with an optional reason, shown with the version. */
    record Reason(String reason) {}

    @PostMapping("/disable")
    DeployedApps.VersionView disable(@PathVariable String name, @PathVariable String version,
            @RequestBody(required = false) Reason body) {
        return deployed.setState(name, version, VersionState.DISABLED, body == null ? null : body.reason());
    }

    @PostMapping("/enable")
    DeployedApps.VersionView enable(@PathVariable String name, @PathVariable String version,
            @RequestBody(required = false) Reason body) {
        return deployed.setState(name, version, VersionState.ENABLED, body == null ? null : body.reason());
    }

    @PostMapping("/revoke")
    DeployedApps.VersionView revoke(@PathVariable String name, @PathVariable String version,
            @RequestBody(required = false) Reason body) {
        return deployed.setState(name, version, VersionState.REVOKED, body == null ? null : body.reason());
    }
}
