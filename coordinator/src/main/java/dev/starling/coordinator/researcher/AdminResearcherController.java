package dev.starling.coordinator.researcher;

import dev.starling.coordinator.web.Page;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The admin's API for researchers and their keys (admin only: see SecurityConfig). */
@RestController
@RequestMapping("/api/v1/admin/researchers")
class AdminResearcherController {
    private final ResearcherService researchers;
    private final ResearcherQuotas quotas;

    AdminResearcherController(ResearcherService researchers, ResearcherQuotas quotas) {
        this.researchers = researchers;
        this.quotas = quotas;
    }

    record CreateResearcher(String name) {}

    @ResponseStatus(HttpStatus.CREATED)
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<IssuedKey> create(@RequestBody CreateResearcher request) {
        IssuedKey key = researchers.create(request.name());
        return ResponseEntity.created(URI.create("/api/v1/admin/researchers/" + key.researcherId())).body(key);
    }

    @GetMapping
    Page<ResearcherView> list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size) {
        return researchers.list(page, size);
    }

    @GetMapping("/{id}")
    ResearcherView get(@PathVariable long id) {
        return researchers.get(id);
    }

    @ResponseStatus(HttpStatus.CREATED)
    @PostMapping("/{id}/keys")
    ResponseEntity<IssuedKey> newKey(@PathVariable long id) {
        IssuedKey key = researchers.newKey(id);
        return ResponseEntity.created(URI.create("/api/v1/admin/researchers/" + id)).body(key);
    }

    @PostMapping("/{id}/keys/{keyId}/revoke")
    ResearcherView.Key revoke(@PathVariable long id, @PathVariable long keyId) {
        return researchers.revoke(id, keyId);
    }

    /** The researcher's share, quotas and what they use of them. */
    @GetMapping("/{id}/quotas")
    ResearcherQuotas.View quotas(@PathVariable long id) {
        return quotas.view(id);
    }

    /**
     * Sets the researcher's share and all of their quotas at once: a missing or null share is 1, a missing or null
     * quota no limit.
     */
    @PutMapping(path = "/{id}/quotas", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResearcherQuotas.View setQuotas(@PathVariable long id, @RequestBody ResearcherQuotas.Settings settings) {
        return quotas.set(id, settings);
    }
}
