package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.host.HostStanding;
import dev.starling.coordinator.host.TaskDayTable;
import dev.starling.coordinator.support.AfterCommit;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Daily task limits (BOINC's {@code max_jobs_per_day}), checked before the claim statement, in the claim's
 * transaction: each host may take its {@code daily_tasks} a day (UTC; {@code starling.trust.daily-tasks} to start
 * with, grown by each valid result, halved by each invalid, error or timed-out one), all of a volunteer's hosts
 * together {@code volunteer-daily-tasks} plus what their hosts earned above the start, and a host that gave back
 * {@code give-backs-per-day} tasks gets no more that day. The counts are read by key for the batch's hosts and their
 * volunteers' other hosts (one statement), and the tasks given are added after the claim (one statement). Within a
 * batch each task given is taken from its host's and its volunteer's remainder as it is given ({@link Allowance#took}),
 * so several hosts of one volunteer in one batch together get at most the volunteer's remainder.
 *
 * <p>Two coordinators claiming for one host (or for hosts of one volunteer) at the same instant each read the counts
 * before the other's claim committed, so a host, or a volunteer, may go over its limit by one claim batch per other
 * coordinator; nothing is locked for it. A host found over its limit is remembered (for a minute, or until the day
 * ends) so that its long polls do not claim.
 */
@Component
class DailyLimits {
    private static final Logger log = LoggerFactory.getLogger(DailyLimits.class);
    /** how long a host found over its limit is refused without reading its counts again */
    private static final long REMEMBER_SECONDS = 60;

    private final TaskDayTable days;
    private final StarlingProperties.Trust settings;
    /** hosts found over a limit: until when they are refused without a claim, and why */
    private final Map<Long, Refusal> refused = new ConcurrentHashMap<>();
    /** the day each refused host's refusal was last logged */
    private final Map<Long, LocalDate> logged = new ConcurrentHashMap<>();

    private record Refusal(Instant until, LimitReached reason) {}

    DailyLimits(TaskDayTable days, StarlingProperties properties) {
        this.days = days;
        this.settings = properties.trust();
    }

    /** Why the host gets no work now without a claim, or null: it was found over a limit a moment ago. */
    LimitReached refused(long hostId, Instant now) {
        Refusal r = refused.get(hostId);
        if (r == null) {
            return null;
        }
        if (now.isBefore(r.until())) {
            return r.reason();
        }
        refused.remove(hostId, r);
        return null;
    }

    /** What the hosts of a claim batch may still take today, read in one statement (nothing when there are no limits). */
    Allowance allowance(List<AuthenticatedHost> hosts, Instant now) {
        if (!settings.dailyLimits() || hosts.isEmpty()) {
            return new Allowance(now, Map.of(), Map.of());
        }
        LocalDate day = HostStanding.day(now);
        Long[] hostIds = hosts.stream().map(AuthenticatedHost::id).distinct().toArray(Long[]::new);
        Long[] volunteerIds = hosts.stream().map(AuthenticatedHost::volunteerId).filter(Objects::nonNull).distinct()
                .toArray(Long[]::new);
        Map<Long, Integer> hostLeft = new HashMap<>();
        Map<Long, Integer> volunteerLeft = new HashMap<>();
        Map<Long, Integer> volunteerEarned = new HashMap<>();
        Map<Long, Integer> volunteerTasks = new HashMap<>();
        for (TaskDayTable.Day d : days.read(hostIds, volunteerIds, day, settings.dailyTasks())) {
            int left = d.givenBack() >= settings.giveBacksPerDay() && settings.giveBacksPerDay() > 0
                    ? GAVE_BACK : Math.max(0, d.limit() - d.tasks());
            hostLeft.put(d.hostId(), left);
            if (d.volunteerId() != null) {
                volunteerEarned.merge(d.volunteerId(), Math.max(0, d.limit() - settings.dailyTasks()), Integer::sum);
                volunteerTasks.merge(d.volunteerId(), d.tasks(), Integer::sum);
            }
        }
        volunteerEarned.forEach((v, earned) -> volunteerLeft.put(v,
                (int) Math.max(0, Math.min(Integer.MAX_VALUE,
                        (long) settings.volunteerDailyTasks() + earned - volunteerTasks.get(v)))));
        return new Allowance(now, hostLeft, volunteerLeft);
    }

    /** A host that reached its give-back cap: refused whatever its limit says */
    private static final int GAVE_BACK = -1;

    /** Counts the tasks the batch gave against the hosts' day; last in the claim's transaction. */
    void spend(Allowance allowance) {
        if (!allowance.spent.isEmpty()) {
            days.addTasks(allowance.spent, HostStanding.day(allowance.now));
        }
    }

    /** What the hosts of one claim batch may take, shared out as the batch gives tasks. */
    final class Allowance {
        private final Instant now;
        private final Map<Long, Integer> hostLeft;
        private final Map<Long, Integer> volunteerLeft;
        private final Map<Long, Integer> spent = new HashMap<>();

        private Allowance(Instant now, Map<Long, Integer> hostLeft, Map<Long, Integer> volunteerLeft) {
            this.now = now;
            this.hostLeft = hostLeft;
            this.volunteerLeft = volunteerLeft;
        }

        /**
         * The most of {@code wanted} tasks the host may take now; 0 with the reason logged (once a day per host) and
         * remembered when a limit refuses it all.
         */
        int most(AuthenticatedHost host, int wanted) {
            if (wanted <= 0 || hostLeft.isEmpty()) {
                return wanted;
            }
            int left = hostLeft.getOrDefault(host.id(), Integer.MAX_VALUE);
            LimitReached reason = left == GAVE_BACK ? LimitReached.GIVE_BACK_LIMIT : left == 0 ? LimitReached.HOST_DAILY_LIMIT : null;
            int most = Math.min(wanted, Math.max(0, left));
            Integer volunteer = host.volunteerId() == null ? null : volunteerLeft.get(host.volunteerId());
            if (reason == null && volunteer != null && volunteer < most) {
                most = volunteer;
                reason = most == 0 ? LimitReached.VOLUNTEER_DAILY_LIMIT : null;
            }
            if (reason != null) {
                refuse(host.id(), reason);
            }
            return most;
        }

        /** How many more tasks the host may take now, within its own remainder and its volunteer's. */
        int left(AuthenticatedHost host) {
            if (hostLeft.isEmpty()) {
                return Integer.MAX_VALUE;
            }
            int left = Math.max(0, hostLeft.getOrDefault(host.id(), Integer.MAX_VALUE)); // GAVE_BACK: 0
            Integer volunteer = host.volunteerId() == null ? null : volunteerLeft.get(host.volunteerId());
            return volunteer == null ? left : Math.min(left, volunteer);
        }

        /**
         * Refuses the host, as {@link #most} would at its next claim, when nothing is left for it: called for a host
         * the batch gave nothing because its volunteer's other hosts of the batch took what was left, so that its
         * empty answer says why.
         */
        void refuseIfSpent(AuthenticatedHost host) {
            most(host, 1);
        }

        /** The host was given {@code n} tasks: taken from its remainder and its volunteer's at once. */
        void took(AuthenticatedHost host, int n) {
            if (n == 0 || hostLeft.isEmpty()) {
                return;
            }
            spent.merge(host.id(), n, Integer::sum);
            hostLeft.computeIfPresent(host.id(), (h, left) -> left == GAVE_BACK ? left : Math.max(0, left - n));
            if (host.volunteerId() != null) {
                volunteerLeft.computeIfPresent(host.volunteerId(), (v, left) -> Math.max(0, left - n));
            }
        }

        private void refuse(long hostId, LimitReached reason) {
            Instant midnight = HostStanding.day(now).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            Instant until = now.plus(REMEMBER_SECONDS, ChronoUnit.SECONDS);
            Refusal refusal = new Refusal(until.isBefore(midnight) ? until : midnight, reason);
            LocalDate day = HostStanding.day(now);
            AfterCommit.run(() -> {
                if (refused.size() > 100_000 || logged.size() > 100_000) {
                    refused.clear();
                    logged.clear();
                }
                refused.put(hostId, refusal);
                if (!day.equals(logged.put(hostId, day))) {
                    log.info("Host {} gets no tasks for now [{}]: {}", hostId, reason.code(), reason.description());
                }
            });
        }
    }
}
