package dev.starling.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.proto.v1.FetchGrant;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Fetch tokens handed out again instead of signed per task, and only for the same grant and about the same expiry. */
class FetchGrantsTest extends CoordinatorTest {
    private static final String BLOB = "sha256:" + "ab".repeat(32);
    private static final String OTHER_BLOB = "sha256:" + "cd".repeat(32);

    @Autowired
    private FetchGrants grants;

    @Test
    void aHostGetsTheSameTokenForTheSameBlobAndJobWhileItsExpiryIsCloseToWhatItAsksFor() {
        Instant expires = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
        String first = grants.token(BLOB, 7, 11, expires);

        // grant-ttl is 30 minutes: a tenth of it is the slack
        assertThat(grants.token(BLOB, 7, 11, expires.plusSeconds(170))).isEqualTo(first);
        assertThat(grants.token(BLOB, 7, 11, expires.minusSeconds(170))).isEqualTo(first);
        FetchGrant grant = grants.check(first, BLOB).orElseThrow();
        assertThat(grant.getHostId()).isEqualTo(7);
        assertThat(grant.getJobId()).isEqualTo(11);
        assertThat(grant.getExpiresEpochMillis()).isEqualTo(expires.toEpochMilli());
    }

    @Test
    void anotherHostJobBlobOrAFarExpiryGetsATokenOfItsOwn() {
        Instant expires = Instant.now().plus(Duration.ofMinutes(30));
        String first = grants.token(BLOB, 8, 12, expires);

        String otherHost = grants.token(BLOB, 9, 12, expires);
        String otherJob = grants.token(BLOB, 8, 13, expires);
        String otherBlob = grants.token(OTHER_BLOB, 8, 12, expires);
        String later = grants.token(BLOB, 8, 12, expires.plus(Duration.ofMinutes(4)));
        String sooner = grants.token(BLOB, 8, 12, expires.minus(Duration.ofMinutes(20)));

        assertThat(Set.of(first, otherHost, otherJob, otherBlob, later, sooner)).hasSize(6);
        assertThat(grants.check(otherHost, BLOB).orElseThrow().getHostId()).isEqualTo(9);
        assertThat(grants.check(otherJob, BLOB).orElseThrow().getJobId()).isEqualTo(13);
        assertThat(grants.check(otherBlob, BLOB)).isEmpty();
        assertThat(grants.check(sooner, BLOB).orElseThrow().getExpiresEpochMillis())
                .isEqualTo(expires.minus(Duration.ofMinutes(20)).toEpochMilli());
        // the newest token is the one handed out again
        assertThat(grants.token(BLOB, 8, 12, expires.minus(Duration.ofMinutes(19)))).isEqualTo(sooner);
    }
}
