package dev.starling.coordinator.app;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code work_units_index} table: the line index of a blob of work units (JSON lines). */
@Repository
class WorkUnitsIndexTable {
    private final JdbcClient jdbc;

    WorkUnitsIndexTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A blob's index: the blob holding its line offsets, and how many work-unit lines it has. */
    record Index(String indexBlob, long lines) {}

    Optional<Index> find(String blobId) {
        return jdbc.sql("SELECT index_blob, lines FROM work_units_index WHERE blob_id = :blob").param("blob", blobId)
                .query((rs, i) -> new Index(rs.getString(1), rs.getLong(2))).optional();
    }

    /** Records a blob's index (the same index again, from a job submitted at the same time: nothing changes). */
    void insert(String blobId, Index index, Instant now) {
        jdbc.sql("""
                        INSERT INTO work_units_index (blob_id, index_blob, lines, created_at)
                        VALUES (:blob, :index, :lines, :now) ON CONFLICT (blob_id) DO NOTHING""")
                .param("blob", blobId).param("index", index.indexBlob()).param("lines", index.lines())
                .param("now", Timestamp.from(now)).update();
    }
}
