package dev.starling.coordinator.volunteer;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL on {@code account_preferences} and the hosts' venues. */
@Repository
class PreferencesTable {
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    PreferencesTable(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The volunteer's sets of preferences, by venue. */
    Map<String, Map<String, String>> sets(long volunteerId) {
        Map<String, Map<String, String>> sets = new LinkedHashMap<>();
        jdbc.sql("SELECT venue, prefs::text FROM account_preferences WHERE volunteer_id = :volunteer ORDER BY venue")
                .param("volunteer", volunteerId)
                .query((rs, i) -> sets.put(rs.getString(1), json.readValue(rs.getString(2), MAP))).list();
        return sets;
    }

    /** Replaces the volunteer's set for a venue. */
    void put(long volunteerId, String venue, Map<String, String> prefs, Instant now) {
        jdbc.sql("""
                        INSERT INTO account_preferences (volunteer_id, venue, prefs, updated_at)
                        VALUES (:volunteer, :venue, CAST(:prefs AS jsonb), :now)
                        ON CONFLICT (volunteer_id, venue) DO UPDATE SET prefs = EXCLUDED.prefs, updated_at = EXCLUDED.updated_at""")
                .param("volunteer", volunteerId).param("venue", venue).param("prefs", json.writeValueAsString(prefs))
                .param("now", Timestamp.from(now)).update();
    }

    /** Removes the volunteer's set for a venue (its hosts take the default set); false when there was none. */
    boolean remove(long volunteerId, String venue) {
        return jdbc.sql("DELETE FROM account_preferences WHERE volunteer_id = :volunteer AND venue = :venue")
                .param("volunteer", volunteerId).param("venue", venue).update() == 1;
    }

    /** The venues of the volunteer's hosts, by host id. */
    Map<Long, String> venues(long volunteerId) {
        Map<Long, String> venues = new LinkedHashMap<>();
        jdbc.sql("SELECT id, venue FROM host WHERE volunteer_id = :volunteer ORDER BY id").param("volunteer", volunteerId)
                .query((rs, i) -> venues.put(rs.getLong(1), rs.getString(2))).list();
        return venues;
    }

    /** Puts the volunteer's host in a venue; false when it is not theirs, or retired. */
    boolean venue(long volunteerId, long hostId, String venue) {
        return jdbc.sql("UPDATE host SET venue = :venue WHERE id = :id AND volunteer_id = :volunteer AND retired_at IS NULL")
                .param("venue", venue).param("id", hostId).param("volunteer", volunteerId).update() == 1;
    }
}
