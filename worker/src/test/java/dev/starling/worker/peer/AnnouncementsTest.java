package dev.starling.worker.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.proto.v1.PeerComplaint;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
    private final Announcements announcements = new Announcements();

    @Test
    void theLatestNewsOfABlobWins() throws InterruptedException {
        announcements.completed("a");
        announcements.dropped(List.of("a", "b"));
        announcements.completed("b");

        Announcements.Batch batch = announcements.take();

        assertThat(batch.holding()).containsExactly("b");
        assertThat(batch.dropped()).containsExactly("a");
        assertThat(batch.full()).isFalse();
    }

    @Test
    void aBatchPutBackIsSentAgainUnderWhatHappenedSince() throws InterruptedException {
        announcements.registered();
        announcements.completed("a");
        announcements.complain(PeerComplaint.newBuilder().setHostId(3).build());
        Announcements.Batch failed = announcements.take();
        announcements.dropped(List.of("a"));

        announcements.putBack(failed);
        Announcements.Batch again = announcements.take();

        assertThat(again.full()).isTrue();
        assertThat(again.dropped()).containsExactly("a");
        assertThat(again.holding()).isEmpty();
        assertThat(again.complaints()).extracting(PeerComplaint::getHostId).containsExactly(3L);
    }

    @Test
    void keepsABoundedNumberOfComplaints() throws InterruptedException {
        for (int i = 0; i < Announcements.MAX_COMPLAINTS + 5; i++) {
            announcements.complain(PeerComplaint.newBuilder().setHostId(i).build());
        }
        List<PeerComplaint> kept = announcements.take().complaints();
        assertThat(kept).hasSize(Announcements.MAX_COMPLAINTS);
        assertThat(kept.get(0).getHostId()).isEqualTo(5);
    }
}
