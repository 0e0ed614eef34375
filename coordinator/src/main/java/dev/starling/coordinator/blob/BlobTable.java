package dev.starling.coordinator.blob;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code blob} table. */
@Repository
class BlobTable {
    private final JdbcClient jdbc;

    BlobTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a blob whose bytes are stored; false when it was recorded already (the same bytes again). */
    boolean insert(StoredBlob blob, Instant now) {
        return jdbc.sql("""
                        INSERT INTO blob (id, size, leaf_hashes, created_at) VALUES (:id, :size, :leaves, :now)
                        ON CONFLICT (id) DO NOTHING""")
                .param("id", blob.id())
                .param("size", blob.size())
                .param("leaves", blob.leafHashes())
                .param("now", Timestamp.from(now))
                .update() == 1;
    }

    Optional<Blob> find(String id) {
        return jdbc.sql("SELECT id, size, leaf_hashes, created_at FROM blob WHERE id = :id")
                .param("id", id)
                .query((rs, i) -> new Blob(rs.getString("id"), rs.getLong("size"), rs.getBytes("leaf_hashes"),
                        rs.getTimestamp("created_at").toInstant()))
                .optional();
    }

    /** The sizes of those of the given blobs that are stored. */
    Map<String, Long> sizes(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return jdbc.sql("SELECT id, size FROM blob WHERE id = ANY(:ids)")
                .param("ids", SqlArrays.of("text", ids.toArray(String[]::new)))
                .query((rs, i) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The blob was stored again (uploaded, or kept by the coordinator): its grace before collection starts over. */
    void touch(String id, Instant now) {
        jdbc.sql("UPDATE blob SET created_at = :now WHERE id = :id AND created_at < :now")
                .param("id", id).param("now", Timestamp.from(now)).update();
    }

    /**
     * Those of the given blobs that are stored, share-locked until the transaction ends: the blob collector skips
     * them, so a job naming them commits before they can be collected (or finds them gone).
     */
    Set<String> pin(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("SELECT id FROM blob WHERE id = ANY(:ids) FOR KEY SHARE")
                .param("ids", SqlArrays.of("text", ids.toArray(String[]::new))).query(String.class).list());
    }

    /** Notes that a researcher uploaded the blob (again: nothing changes). */
    void uploadedBy(String blobId, long researcherId) {
        jdbc.sql("INSERT INTO blob_upload (blob_id, researcher_id) VALUES (:blob, :researcher) ON CONFLICT DO NOTHING")
                .param("blob", blobId).param("researcher", researcherId).update();
    }

    /** Those of the given blobs the researcher uploaded. */
    Set<String> uploaded(Collection<String> ids, long researcherId) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("SELECT blob_id FROM blob_upload WHERE blob_id = ANY(:ids) AND researcher_id = :researcher")
                .param("ids", SqlArrays.of("text", ids.toArray(String[]::new))).param("researcher", researcherId)
                .query(String.class).list());
    }
}
