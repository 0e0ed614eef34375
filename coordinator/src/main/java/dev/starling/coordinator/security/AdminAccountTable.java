package dev.starling.coordinator.security;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code admin_account} table. */
@Repository
class AdminAccountTable {
    private final JdbcClient jdbc;

    AdminAccountTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the account unless it exists; whether it was created. */
    boolean insertIfAbsent(String username, String passwordHash, Instant now) {
        Timestamp at = Timestamp.from(now);
        return jdbc.sql("""
                        INSERT INTO admin_account (username, password_hash, created_at, password_set_at)
                        VALUES (:username, :hash, :now, :now) ON CONFLICT (username) DO NOTHING""")
                .param("username", username).param("hash", passwordHash).param("now", at)
                .update() == 1;
    }

    void setPassword(String username, String passwordHash, Instant now) {
        jdbc.sql("UPDATE admin_account SET password_hash = :hash, password_set_at = :now WHERE username = :username")
                .param("username", username).param("hash", passwordHash).param("now", Timestamp.from(now))
                .update();
    }

    Optional<String> passwordHash(String username) {
        return jdbc.sql("SELECT password_hash FROM admin_account WHERE username = :username")
                .param("username", username).query(String.class).list().stream().findFirst();
    }
}
