package dev.starling.coordinator.peer;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on {@code blob_drop}: blobs hosts are to drop from their caches, written by retention, taken at contact. */
@Repository
class BlobDropQueries {
    private final JdbcClient jdbc;

    BlobDropQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean any() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM blob_drop)").query(Boolean.class).single();
    }

    /** Takes (deletes and returns) up to {@code limit} of the host's drops, in one statement. */
    List<String> take(long hostId, int limit) {
        return jdbc.sql("""
                        DELETE FROM blob_drop
                         WHERE host_id = :host
                           AND blob_id IN (SELECT blob_id FROM blob_drop WHERE host_id = :host LIMIT :limit)
                        RETURNING blob_id""")
                .param("host", hostId).param("limit", limit).query(String.class).list();
    }
}
