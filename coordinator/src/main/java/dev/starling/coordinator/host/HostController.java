package dev.starling.coordinator.host;

import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/hosts")
class HostController {
    private final HostTable hosts;

    HostController(HostTable hosts) {
        this.hosts = hosts;
    }

    @GetMapping
    Page<HostView> list(@RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "100") int size) {
        Paging.check(page, size);
        return new Page<>(hosts.page(Paging.offset(page, size), size), page, size, hosts.count());
    }
}
