package dev.starling.coordinator.host;

import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A volunteer's hosts as they see and steer them on the web: what each runs, what it earned today, and the
 * volunteer's pause, resume, rename and retire. Another volunteer's host is "not found", never changed. A change
 * reaches the host's calls on this coordinator at once ({@link HostService#forget}, and a paused host's long poll is
 * woken: {@link ControlSignal}) and on others within {@link HostService#REMEMBER_TOKENS}; the worker hears it in the
 * answer to its next RequestWork or Heartbeat.
 */
@Service
public class VolunteerHosts {
    private static final Logger log = LoggerFactory.getLogger(VolunteerHosts.class);
    /** A host heard from within this long is online: an idle worker long-polls every few seconds. */
    public static final Duration ONLINE = Duration.ofMinutes(2);
    static final int MAX_LABEL_LENGTH = 100;

    private final HostControlTable table;
    private final HostTable hosts;
    private final HostService service;
    private final ControlSignal signal;
    private final Clock clock;

    VolunteerHosts(HostControlTable table, HostTable hosts, HostService service, ControlSignal signal, Clock clock) {
        this.table = table;
        this.hosts = hosts;
        this.service = service;
        this.signal = signal;
        this.clock = clock;
    }

    /** A task the host holds, as its worker last said. */
    public record Running(long resultId, long jobId, String app, double progress, boolean suspended) {}

    /**
     * One host of the volunteer.
     *
     * @param name the name the volunteer gave it on the web, else the one its worker registered with
     * @param pausedAt when the volunteer paused it; null while it computes
     * @param validToday results validated today (UTC), and {@code creditToday} their credit
     * @param noWork why its worker's last request for work got none, while it holds no task; null when it got some,
     *     holds some, or is paused (which {@code pausedAt} says)
     */
    public record Mine(HostView host, String name, boolean online, Instant pausedAt, long validToday,
            double creditToday, List<Running> tasks, NoWork noWork) {

        /** "Good", "Quarantined" or "Banned". */
        public String standing() {
            return host.bannedAt() != null ? "Banned" : host.quarantinedAt() != null ? "Quarantined" : "Good";
        }
    }

    /**
     * Why a host's last request for work got none, as its worker was told ({@code NoWork} in worker.proto).
     *
     * @param reason the code, such as {@code HAS_REPLICA}; {@code message} says it in words, with what to do
     * @param since when the host was first told this
     */
    public record NoWork(String reason, String message, Instant since) {}

    /** The volunteer's hosts that are not retired, oldest first. */
    public List<Mine> of(long volunteerId) {
        Instant now = clock.instant();
        Map<Long, HostControlTable.Own> own = table.own(volunteerId, HostStanding.day(now));
        Map<Long, List<Running>> tasks = table.running(own.keySet());
        List<Mine> mine = new ArrayList<>();
        for (HostView h : hosts.ofVolunteer(volunteerId)) {
            HostControlTable.Own o = own.get(h.id());
            if (o != null) {
                mine.add(new Mine(h, o.label() != null ? o.label() : h.name(),
                        h.lastContactAt() != null && h.lastContactAt().isAfter(now.minus(ONLINE)), o.pausedAt(),
                        o.validToday(), o.creditToday(), tasks.getOrDefault(h.id(), List.of()),
                        o.pausedAt() == null && !tasks.containsKey(h.id()) ? o.noWork() : null));
            }
        }
        return mine;
    }

    /**
     * Pauses the volunteer's host (or all of them, {@code hostId} empty): their running tasks are suspended, not lost,
     * and they are sent no new ones. Pausing a paused host changes nothing.
     *
     * @return how many hosts it paused now
     * @throws NotFoundException when {@code hostId} is not a host of this volunteer's
     */
    @Transactional
    public int pause(long volunteerId, Optional<Long> hostId) {
        return changed(volunteerId, hostId, table.pause(volunteerId, hostId, clock.instant()), "paused");
    }

    /** Resumes what {@link #pause} paused. */
    @Transactional
    public int resume(long volunteerId, Optional<Long> hostId) {
        return changed(volunteerId, hostId, table.resume(volunteerId, hostId, clock.instant()), "resumed");
    }

    private int changed(long volunteerId, Optional<Long> hostId, List<Long> changed, String done) {
        if (changed.isEmpty() && hostId.isPresent() && !table.owns(volunteerId, hostId.get())) {
            throw notFound(hostId.get());
        }
        AfterCommit.run(() -> {
            changed.forEach(service::forget);
            signal.changed(changed);
            if (!changed.isEmpty()) {
                log.info("Volunteer {} {} hosts {}", volunteerId, done, changed);
            }
        });
        return changed.size();
    }

    /**
     * Gives the host a name on the web (blank: back to the name its worker registers with).
     *
     * @throws BadRequestException when the name is too long or holds control characters
     */
    @Transactional
    public void rename(long volunteerId, long hostId, String name) {
        String label = name == null ? "" : name.strip();
        if (label.length() > MAX_LABEL_LENGTH || label.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestException("name", "must have at most " + MAX_LABEL_LENGTH
                    + " characters and no control characters");
        }
        if (!table.label(volunteerId, hostId, label.isEmpty() ? null : label)) {
            throw notFound(hostId);
        }
    }

    /**
     * Retires the host: its calls are refused from now on (its worker stops, saying why), its tasks are reissued when
     * their leases end, and the volunteer's pages list it no more. Its credit stays the volunteer's.
     */
    @Transactional
    public void retire(long volunteerId, long hostId) {
        if (!table.retire(volunteerId, hostId, clock.instant())) {
            throw notFound(hostId);
        }
        AfterCommit.run(() -> {
            service.forget(hostId);
            log.info("Volunteer {} retired host {}", volunteerId, hostId);
        });
    }

    /** One day of the volunteer's credit history. */
    public record Day(LocalDate day, long valid, double credit) {}

    /** The volunteer's credit per day (UTC) over the last {@code days} days, oldest first, days without any as 0. */
    public List<Day> history(long volunteerId, int days) {
        LocalDate today = HostStanding.day(clock.instant());
        LocalDate from = today.minusDays(days - 1L);
        Map<LocalDate, Day> byDay = table.history(volunteerId, from);
        List<Day> history = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(today); d = d.plusDays(1)) {
            history.add(byDay.getOrDefault(d, new Day(d, 0, 0)));
        }
        return history;
    }

    private static NotFoundException notFound(long hostId) {
        return new NotFoundException("you have no host " + hostId);
    }
}
