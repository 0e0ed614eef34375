package dev.starling.coordinator.host;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL on what a volunteer decides about their hosts ({@code host.paused_at}, {@code label}, {@code retired_at}) and
 * on {@code host_credit_day}. Every statement is guarded by the volunteer's id.
 */
@Repository
class HostControlTable {
    private final JdbcClient jdbc;

    HostControlTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What the volunteer set for one host, what it earned today, and why its last call got no task (or null). */
    record Own(String label, Instant pausedAt, long validToday, double creditToday, VolunteerHosts.NoWork noWork) {}

    /** The volunteer's hosts that are not retired, by id. */
    Map<Long, Own> own(long volunteerId, LocalDate today) {
        Map<Long, Own> own = new HashMap<>();
        jdbc.sql("""
                        SELECT h.id, h.label, h.paused_at, coalesce(d.valid, 0) AS valid, coalesce(d.credit, 0) AS credit,
                               h.no_work, h.no_work_message, h.no_work_at
                          FROM host h LEFT JOIN host_credit_day d ON d.host_id = h.id AND d.day = :today
                         WHERE h.volunteer_id = :volunteer AND h.retired_at IS NULL""")
                .param("volunteer", volunteerId).param("today", java.sql.Date.valueOf(today))
                .query((rs, i) -> own.put(rs.getLong("id"), new Own(rs.getString("label"),
                        HostTable.instant(rs, "paused_at"), rs.getLong("valid"), rs.getDouble("credit"),
                        rs.getString("no_work") == null ? null : new VolunteerHosts.NoWork(rs.getString("no_work"),
                                rs.getString("no_work_message"), HostTable.instant(rs, "no_work_at")))))
                .list();
        return own;
    }

    /** The tasks these hosts hold, by host. */
    Map<Long, List<VolunteerHosts.Running>> running(Iterable<Long> hostIds) {
        List<Long> ids = new ArrayList<>();
        hostIds.forEach(ids::add);
        Map<Long, List<VolunteerHosts.Running>> tasks = new HashMap<>();
        if (ids.isEmpty()) {
            return tasks;
        }
        jdbc.sql("""
                        SELECT id, host_id, job_id, app, coalesce(progress, 0) AS progress, suspended FROM result
                         WHERE host_id = ANY(:hosts) AND state = 'IN_PROGRESS' ORDER BY id""")
                .param("hosts", SqlArrays.of("bigint", ids.toArray(Long[]::new)))
                .query((rs, i) -> tasks.computeIfAbsent(rs.getLong("host_id"), k -> new ArrayList<>())
                        .add(new VolunteerHosts.Running(rs.getLong("id"), rs.getLong("job_id"), rs.getString("app"),
                                rs.getDouble("progress"), rs.getBoolean("suspended"))))
                .list();
        return tasks;
    }

    /** Pauses the volunteer's host, or all of them ({@code hostId} empty); the ids of those it paused now. */
    List<Long> pause(long volunteerId, Optional<Long> hostId, Instant now) {
        return update(volunteerId, hostId, "paused_at = CAST(:now AS timestamptz)", "paused_at IS NULL", now);
    }

    /** Resumes the volunteer's host, or all of them; the ids of those it resumed now. */
    List<Long> resume(long volunteerId, Optional<Long> hostId, Instant now) {
        return update(volunteerId, hostId, "paused_at = NULL", "paused_at IS NOT NULL", now);
    }

    private List<Long> update(long volunteerId, Optional<Long> hostId, String set, String changes, Instant now) {
        return jdbc.sql("UPDATE host SET " + set + " WHERE volunteer_id = :volunteer AND retired_at IS NULL"
                        + " AND (CAST(:host AS bigint) IS NULL OR id = CAST(:host AS bigint)) AND " + changes
                        + " RETURNING id")
                .param("volunteer", volunteerId).param("host", hostId.orElse(null)).param("now", Timestamp.from(now))
                .query(Long.class).list();
    }

    /** Whether the host is the volunteer's and not retired. */
    boolean owns(long volunteerId, long hostId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM host WHERE id = :id AND volunteer_id = :volunteer"
                        + " AND retired_at IS NULL)")
                .param("id", hostId).param("volunteer", volunteerId).query(Boolean.class).single();
    }

    /** Sets the host's label (null: none); false when it is not the volunteer's or is retired. */
    boolean label(long volunteerId, long hostId, String label) {
        return jdbc.sql("UPDATE host SET label = :label WHERE id = :id AND volunteer_id = :volunteer"
                        + " AND retired_at IS NULL")
                .param("label", label).param("id", hostId).param("volunteer", volunteerId).update() == 1;
    }

    /** Retires the host; false when it is not the volunteer's or is retired already. */
    boolean retire(long volunteerId, long hostId, Instant now) {
        return jdbc.sql("UPDATE host SET retired_at = :now WHERE id = :id AND volunteer_id = :volunteer"
                        + " AND retired_at IS NULL")
                .param("now", Timestamp.from(now)).param("id", hostId).param("volunteer", volunteerId).update() == 1;
    }

    /** The volunteer's credit per day from {@code from} on, days without any left out. */
    Map<LocalDate, VolunteerHosts.Day> history(long volunteerId, LocalDate from) {
        Map<LocalDate, VolunteerHosts.Day> byDay = new HashMap<>();
        jdbc.sql("""
                        SELECT d.day, sum(d.valid) AS valid, sum(d.credit) AS credit
                          FROM host_credit_day d JOIN host h ON h.id = d.host_id
                         WHERE h.volunteer_id = :volunteer AND d.day >= :from
                         GROUP BY d.day""")
                .param("volunteer", volunteerId).param("from", java.sql.Date.valueOf(from))
                .query((rs, i) -> byDay.put(rs.getDate("day").toLocalDate(),
                        new VolunteerHosts.Day(rs.getDate("day").toLocalDate(), rs.getLong("valid"),
                                rs.getDouble("credit"))))
                .list();
        return byDay;
    }
}
