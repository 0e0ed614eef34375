package dev.starling.swarm.internal;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The parts of a job view ({@code GET /api/v1/jobs/{id}}) the swarm reads.
 *
 * @param unsplit work units the splitter has yet to write; null when the coordinator does not say
 * @param error the job's error, null when none
 */
public record JobStatus(long id, String app, String state, long total, Long unsplit, long open, long validated,
        long failed, long cancelled, String error) {
    private static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    public static JobStatus of(JsonNode view) {
        JsonNode counts = view.path("workUnits");
        JsonNode unsplit = counts.path("unsplit");
        JsonNode error = view.path("error");
        return new JobStatus(view.path("id").asLong(0), view.path("app").asString(""), view.path("state").asString(""),
                counts.path("total").asLong(0), unsplit.isNumber() ? unsplit.asLong() : null,
                counts.path("open").asLong(0), counts.path("validated").asLong(0), counts.path("failed").asLong(0),
                counts.path("cancelled").asLong(0), error.isString() ? error.asString() : null);
    }

    public boolean finished() {
        return FINISHED.contains(state);
    }

    public boolean succeeded() {
        return state.equals("SUCCEEDED");
    }
}
