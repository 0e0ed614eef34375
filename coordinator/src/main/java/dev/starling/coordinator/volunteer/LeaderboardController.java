package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.web.Page;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The public leaderboard. */
@RestController
class LeaderboardController {
    private final Leaderboard leaderboard;

    LeaderboardController(Leaderboard leaderboard) {
        this.leaderboard = leaderboard;
    }

    @GetMapping("/api/v1/leaderboard")
    Page<Leaderboard.Entry> page(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        return leaderboard.page(page, size);
    }
}
