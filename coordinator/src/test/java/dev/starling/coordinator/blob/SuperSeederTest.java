package dev.starling.coordinator.blob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.MutableClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuperSeederTest {
    private static final String BLOB = "sha256:" + "ab".repeat(32);
    private final MutableClock clock = new MutableClock();
    private final SuperSeeder seeder = new SuperSeeder(clock, Duration.ofSeconds(60));

    @Test
    void aChunkIsServedOnceAndLaterAskersArePointedAtTheHostsGettingIt() {
        assertThat(seeder.seedsFor(BLOB, 3, 1, Optional.of("a:1"))).isEmpty();
        // host 2 asks while the chunk may still be on its way to host 1: it is sent there all the same
        assertThat(seeder.seedsFor(BLOB, 3, 2, Optional.of("b:1"))).extracting(SuperSeeder.Seed::hostId).containsExactly(1L);
        // its seeds failed it: it asks again and is served, and becomes a seed itself
        assertThat(seeder.seedsFor(BLOB, 3, 2, Optional.of("b:1"))).isEmpty();
        assertThat(seeder.seedsFor(BLOB, 3, 4, Optional.of("d:1"))).extracting(SuperSeeder.Seed::hostId)
                .containsExactly(2L, 1L);
        // other chunks are their own business
        assertThat(seeder.seedsFor(BLOB, 4, 2, Optional.of("b:1"))).isEmpty();
    }

    @Test
    void aHostThatServesNoPeersIsServedButNeverOfferedAsASeed() {
        assertThat(seeder.seedsFor(BLOB, 0, 1, Optional.empty())).isEmpty();
        assertThat(seeder.seedsFor(BLOB, 0, 2, Optional.empty())).isEmpty();
        assertThat(seeder.seedsFor(BLOB, 0, 3, Optional.of("c:1"))).isEmpty();
        assertThat(seeder.seedsFor(BLOB, 0, 1, Optional.empty())).extracting(SuperSeeder.Seed::hostId).containsExactly(3L);
    }

    @Test
    void seedsAreForgottenAfterTheWindow() {
        assertThat(seeder.seedsFor(BLOB, 0, 1, Optional.of("a:1"))).isEmpty();
        clock.advance(Duration.ofSeconds(61));
        assertThat(seeder.seedsFor(BLOB, 0, 2, Optional.of("b:1"))).isEmpty();
    }
}
