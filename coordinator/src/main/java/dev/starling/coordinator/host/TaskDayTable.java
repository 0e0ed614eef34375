package dev.starling.coordinator.host;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of daily task limits: per host and day (UTC), the tasks the claim gave it and those it gave back
 * ({@code host_task_day}), with the host's limit ({@code host.daily_tasks}, which {@link HostStanding#fold} grows
 * and cuts). Read by key before a claim, added to after it; rows are written in host id order.
 */
@Repository
public class TaskDayTable {
    private final JdbcClient jdbc;

    TaskDayTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One host's day: its limit ({@code initial} while it has none of its own), the tasks it took and gave back.
     *
     * @param volunteerId null for an anonymous host
     */
    public record Day(long hostId, Long volunteerId, int limit, int tasks, int givenBack) {}

    /** The days of the given hosts and of every other host of the given volunteers, in one statement. */
    public List<Day> read(Long[] hostIds, Long[] volunteerIds, LocalDate day, int initial) {
        return jdbc.sql("""
                        SELECT h.id, h.volunteer_id, coalesce(h.daily_tasks, :initial) AS daily,
                               coalesce(d.tasks, 0) AS tasks, coalesce(d.given_back, 0) AS given_back
                          FROM host h LEFT JOIN host_task_day d ON d.host_id = h.id AND d.day = :day
                         WHERE h.id = ANY(:hosts) OR h.volunteer_id = ANY(:volunteers)""")
                .param("hosts", SqlArrays.of("bigint", hostIds))
                .param("volunteers", SqlArrays.of("bigint", volunteerIds))
                .param("day", Date.valueOf(day))
                .param("initial", initial)
                .query((rs, i) -> new Day(rs.getLong("id"), rs.getObject("volunteer_id", Long.class),
                        rs.getInt("daily"), rs.getInt("tasks"), rs.getInt("given_back")))
                .list();
    }

    /** Adds tasks given (host id to tasks) to the hosts' day. */
    public void addTasks(Map<Long, Integer> tasks, LocalDate day) {
        add(tasks, Map.of(), day);
    }

    /** Adds tasks given back (host id to tasks) to the hosts' day. */
    public void addGivenBack(Map<Long, Integer> givenBack, LocalDate day) {
        add(Map.of(), givenBack, day);
    }

    private void add(Map<Long, Integer> tasks, Map<Long, Integer> givenBack, LocalDate day) {
        if (tasks.isEmpty() && givenBack.isEmpty()) {
            return;
        }
        TreeMap<Long, int[]> rows = new TreeMap<>(); // host id order, the lock order
        tasks.forEach((h, n) -> rows.computeIfAbsent(h, k -> new int[2])[0] += n);
        givenBack.forEach((h, n) -> rows.computeIfAbsent(h, k -> new int[2])[1] += n);
        jdbc.sql("""
                        INSERT INTO host_task_day AS d (host_id, day, tasks, given_back)
                        SELECT u.host, :day, u.tasks, u.given_back
                          FROM unnest(:hosts, :tasks, :givenBack) WITH ORDINALITY AS u(host, tasks, given_back, n)
                         ORDER BY u.n
                        ON CONFLICT (host_id, day) DO UPDATE
                           SET tasks = d.tasks + EXCLUDED.tasks, given_back = d.given_back + EXCLUDED.given_back""")
                .param("hosts", SqlArrays.of("bigint", rows.keySet().toArray(Long[]::new)))
                .param("tasks", SqlArrays.of("integer", rows.values().stream().map(r -> r[0]).toArray(Integer[]::new)))
                .param("givenBack", SqlArrays.of("integer",
                        rows.values().stream().map(r -> r[1]).toArray(Integer[]::new)))
                .param("day", Date.valueOf(day))
                .update();
    }

    /** Deletes the days before {@code keepFrom}; returns how many. */
    public int purge(LocalDate keepFrom) {
        return jdbc.sql("DELETE FROM host_task_day WHERE day < :day").param("day", Date.valueOf(keepFrom)).update();
    }
}
