package dev.starling.coordinator.peer;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code grant_key} table: the one key pair that signs fetch tokens. */
@Repository
class GrantKeyTable {
    private final JdbcClient jdbc;

    GrantKeyTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A key pair, encoded: PKCS#8 private key, X.509 public key. */
    record KeyPairBytes(byte[] privateKey, byte[] publicKey) {}

    /** Stores the key pair unless one is stored already (the first coordinator's wins). */
    void insertIfAbsent(KeyPairBytes pair, Instant now) {
        jdbc.sql("""
                        INSERT INTO grant_key (id, private_key, public_key, created_at)
                        VALUES (1, :private, :public, :now) ON CONFLICT (id) DO NOTHING""")
                .param("private", pair.privateKey())
                .param("public", pair.publicKey())
                .param("now", Timestamp.from(now))
                .update();
    }

    KeyPairBytes read() {
        return jdbc.sql("SELECT private_key, public_key FROM grant_key WHERE id = 1")
                .query((rs, i) -> new KeyPairBytes(rs.getBytes(1), rs.getBytes(2))).single();
    }
}
