package dev.starling.coordinator.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of a job's view saying why its work units wait ({@link WaitingWorkUnits}): who could be sent them, and which
 * of its open work units each of those already has a replica of. Read for one job's view only, each bounded.
 */
@Repository
class WaitingQueries {
    private final JdbcClient jdbc;

    WaitingQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Who may be sent the app's tasks: the volunteers (an anonymous host a volunteer of its own), or the hosts when
     * {@code byVolunteer} is false, of hosts heard from since {@code since} that are neither paused, retired nor banned
     * and run the app: a built-in one among their apps, a deployed one ({@code memoryMiB} not null) with at least that
     * much memory for WebAssembly. A volunteer is {@code volunteer_id}, a host {@code -id} (the keys of
     * {@link #owners}).
     */
    Set<Long> able(String app, Integer memoryMiB, boolean byVolunteer, Instant since) {
        return new HashSet<>(jdbc.sql("""
                        SELECT DISTINCT CASE WHEN :byVolunteer AND volunteer_id IS NOT NULL THEN volunteer_id ELSE -id END
                          FROM host
                         WHERE last_contact_at > :since AND paused_at IS NULL AND retired_at IS NULL AND banned_at IS NULL
                           AND CASE WHEN CAST(:memory AS integer) IS NULL THEN :app = ANY(apps)
                                    ELSE wasm_memory_mib >= CAST(:memory AS integer) END""")
                .param("byVolunteer", byVolunteer).param("since", Timestamp.from(since)).param("memory", memoryMiB)
                .param("app", app)
                .query(Long.class).list());
    }

    /**
     * Up to {@code scan} of the job's open work units of {@code stage} that have an unsent replica (through
     * {@code work_unit_open}, then each one's few replicas through {@code result_wu_host}), each as the volunteers (or
     * hosts) that have one of its replicas, keyed as in {@link #able}.
     */
    List<Set<Long>> owners(long jobId, int stage, boolean byVolunteer, int scan) {
        return jdbc.sql("""
                        SELECT array_remove(array_agg(DISTINCT CASE WHEN o.host_id IS NULL THEN NULL
                                                                    WHEN :byVolunteer AND o.volunteer_id IS NOT NULL
                                                                    THEN o.volunteer_id ELSE -o.host_id END), NULL)
                          FROM (SELECT id FROM work_unit WHERE job_id = :job AND state = 'OPEN' AND stage = :stage
                                 LIMIT :scan) w
                          JOIN result o ON o.work_unit_id = w.id
                         GROUP BY w.id
                        HAVING bool_or(o.state = 'UNSENT')""")
                .param("byVolunteer", byVolunteer).param("job", jobId).param("stage", stage).param("scan", scan)
                .query((rs, i) -> Set.of((Long[]) rs.getArray(1).getArray()))
                .list();
    }
}
