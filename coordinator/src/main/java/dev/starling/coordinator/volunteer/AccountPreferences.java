package dev.starling.coordinator.volunteer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.host.ControlSignal;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.BadRequestException.FieldError;
import dev.starling.coordinator.web.NotFoundException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A volunteer's account-wide computing preferences, by venue ({@link PreferenceKeys}): set on the web or over the
 * API, checked here, and sent to every host of the account with the answers to its RequestWork and Heartbeat calls
 * (its venue's set, else the default set). What a host is sent is remembered for a minute ({@link
 * HostService#REMEMBER_TOKENS}), and forgotten at once on this coordinator when the volunteer changes it.
 */
@Service
public class AccountPreferences {
    private static final Logger log = LoggerFactory.getLogger(AccountPreferences.class);

    private final PreferencesTable table;
    private final ControlSignal signal;
    private final Clock clock;
    private final Cache<Long, Account> byVolunteer =
            Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(HostService.REMEMBER_TOKENS).build();

    AccountPreferences(PreferencesTable table, ControlSignal signal, Clock clock) {
        this.table = table;
        this.signal = signal;
        this.clock = clock;
    }

    /**
     * What a volunteer set: their sets of preferences by venue, and the venue of each of their hosts.
     *
     * @param venues the sets, by venue ({@code default} first when there is one)
     * @param hosts each host's venue, by host id
     */
    public record Account(Map<String, Map<String, String>> venues, Map<Long, String> hosts) {
        /** The venue of a host of this volunteer's. */
        public String venueOf(long hostId) {
            return hosts.getOrDefault(hostId, "default");
        }

        /** The preferences a host of this volunteer's takes: its venue's set, else the default set. */
        public Map<String, String> of(long hostId) {
            Map<String, String> set = venues.get(venueOf(hostId));
            return set != null ? set : venues.getOrDefault("default", Map.of());
        }
    }

    /** The volunteer's preferences and hosts' venues (remembered for a minute: a host's every call asks). */
    public Account of(long volunteerId) {
        return byVolunteer.get(volunteerId, id -> new Account(table.sets(id), table.venues(id)));
    }

    /**
     * Replaces the volunteer's preferences for a venue (keys left out, or blank, are not set by the account).
     *
     * @throws BadRequestException naming each key that is unknown or out of bounds, or the venue
     */
    @Transactional
    public Map<String, String> set(long volunteerId, String venue, Map<String, String> prefs) {
        checkVenue(venue);
        List<FieldError> problems = new ArrayList<>();
        Map<String, String> checked = PreferenceKeys.check(prefs == null ? Map.of() : prefs, problems);
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
        table.put(volunteerId, venue, checked, clock.instant());
        changed(volunteerId);
        log.info("Volunteer {} set their {} preferences: {}", volunteerId, venue, checked);
        return checked;
    }

    /** Removes the volunteer's set for a venue other than the default: its hosts take the default set. */
    @Transactional
    public void remove(long volunteerId, String venue) {
        checkVenue(venue);
        if (!table.remove(volunteerId, venue)) {
            throw new NotFoundException("you have no " + venue + " preferences");
        }
        changed(volunteerId);
    }

    /** Puts the volunteer's host in a venue. */
    @Transactional
    public void venue(long volunteerId, long hostId, String venue) {
        checkVenue(venue);
        if (!table.venue(volunteerId, hostId, venue)) {
            throw new NotFoundException("you have no host " + hostId);
        }
        changed(volunteerId);
    }

    private void changed(long volunteerId) {
        AfterCommit.run(() -> {
            byVolunteer.invalidate(volunteerId);
            // paused hosts' long polls end at once; the others' answers carry it when they end (max-wait at most)
            signal.changed(table.venues(volunteerId).keySet());
        });
    }

    private static void checkVenue(String venue) {
        if (!PreferenceKeys.VENUES.contains(venue)) {
            throw new BadRequestException("venue", "must be one of " + String.join(", ", PreferenceKeys.VENUES));
        }
    }
}
