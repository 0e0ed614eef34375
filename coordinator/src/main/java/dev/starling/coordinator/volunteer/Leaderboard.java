package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Volunteers ranked by credit. Credit is granted only for validated results (once, when the work unit is
 * validated or a late result agrees with its canonical output), to the host that computed it; a volunteer's
 * credit is the sum over their hosts. Anonymous hosts earn credit but have no place here.
 */
@Service
public class Leaderboard {
    private final VolunteerTable table;

    Leaderboard(VolunteerTable table) {
        this.table = table;
    }

    /**
     * One place on the leaderboard (public: no email).
     *
     * @param rank 1 for the most credit; volunteers with equal credit are ranked by who signed up first
     */
    public record Entry(long rank, long volunteerId, String name, double credit, long validResults, int hosts) {}

    public Page<Entry> page(int page, int size) {
        Paging.check(page, size);
        long offset = Paging.offset(page, size);
        List<Entry> entries = new ArrayList<>();
        for (VolunteerView v : table.byCredit(offset, size)) {
            entries.add(new Entry(offset + entries.size() + 1, v.id(), v.name(), v.credit(), v.validResults(), v.hosts()));
        }
        return new Page<>(entries, page, size, table.count());
    }
}
