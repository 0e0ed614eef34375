package dev.starling.coordinator.security;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on {@code login_failure}: failed logins by client address, for {@link LoginThrottle}. */
@Repository
class LoginFailureTable {
    private final JdbcClient jdbc;

    LoginFailureTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The first failure of the address's window when it has at least {@code failures} since {@code windowStart}. */
    Optional<Instant> blockedSince(String address, int failures, Instant windowStart) {
        return jdbc.sql("""
                        SELECT first_at FROM login_failure
                         WHERE address = :address AND failures >= :failures AND first_at > :windowStart""")
                .param("address", address).param("failures", failures)
                .param("windowStart", Timestamp.from(windowStart))
                .query((rs, i) -> rs.getTimestamp(1).toInstant())
                .optional();
    }

    /**
     * Counts a failure at {@code now}: one more in the address's window when it began after {@code windowStart},
     * else the first of a new window; and forgets the windows that ended.
     */
    void add(String address, Instant now, Instant windowStart) {
        jdbc.sql("""
                        INSERT INTO login_failure AS f (address, failures, first_at) VALUES (:address, 1, :now)
                        ON CONFLICT (address) DO UPDATE
                           SET failures = CASE WHEN f.first_at > :windowStart THEN f.failures + 1 ELSE 1 END,
                               first_at = CASE WHEN f.first_at > :windowStart THEN f.first_at ELSE :now END""")
                .param("address", address).param("now", Timestamp.from(now))
                .param("windowStart", Timestamp.from(windowStart))
                .update();
        jdbc.sql("DELETE FROM login_failure WHERE first_at <= :windowStart")
                .param("windowStart", Timestamp.from(windowStart)).update();
    }

    void clear(String address) {
        jdbc.sql("DELETE FROM login_failure WHERE address = :address").param("address", address).update();
    }
}
