package dev.starling.coordinator.app;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.security.Caller;
import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.StagePlan;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parameters of a deployed app's job, one of three forms, each with optional {@code files} shared by every work
 * unit (read-only under {@code /input/}):
 * <ul>
 *   <li>{@code workUnits}: a list of work unit objects ({@link DeployedWorkUnit}), within the limit on a job's
 *       parameters;</li>
 *   <li>{@code workUnitsBlob}: the id of an uploaded blob of the same objects as JSON lines, for lists of any size
 *       ({@link WorkUnitLines});</li>
 *   <li>{@code sweep}: a range cut into pieces ({@link Sweep}).</li>
 * </ul>
 * {@link #check} checks them at submit (every blob they name must be one the submitter may read) and answers what to
 * store; {@link #plan} turns stored parameters into the stage's work units, computed from their index.
 */
@Component
class DeployedParams {
    static final List<String> FIELDS = List.of("workUnits", "workUnitsBlob", "sweep", "files");

    private final BlobService blobs;
    private final WorkUnitLines lines;
    private final JsonMapper json;
    private final double maxCredit;

    DeployedParams(BlobService blobs, WorkUnitLines lines, JsonMapper json, StarlingProperties properties) {
        this.blobs = blobs;
        this.lines = lines;
        this.json = json;
        this.maxCredit = properties.apps().maxCreditPerWorkUnit();
    }

    /** Checked parameters: what to store, and how many work units they make. */
    record Checked(JobParams params, long workUnits) {}

    /**
     * Checks a job's parameters for the app, completely.
     *
     * @throws InvalidParamsException naming each field that is wrong (relative to {@code params})
     */
    Checked check(DeployedApp app, Map<String, ?> raw, Caller caller, long maxWorkUnits) {
        JsonNode node = json.valueToTree(raw);
        JsonFields fields = new JsonFields();
        fields.object(node, "", FIELDS);
        List<String> forms = FIELDS.stream().filter(f -> !f.equals("files") && node.has(f)).toList();
        if (forms.size() != 1) {
            fields.problem("", forms.isEmpty()
                    ? "must have workUnits (a list), workUnitsBlob (a blob of JSON lines) or sweep"
                    : "must have only one of workUnits, workUnitsBlob and sweep, not " + String.join(" and ", forms));
            throw invalid(fields);
        }
        double perWorkUnit = app.manifest().creditPerWorkUnit();
        double maxCost = perWorkUnit > 0 ? maxCredit / perWorkUnit : Double.MAX_VALUE;
        SortedMap<String, String> shared = DeployedWorkUnit.files(node, "", "files", fields);
        Map<String, String> fileBlobs = new LinkedHashMap<>(); // blob id to where it is named, checked together
        shared.forEach((name, id) -> fileBlobs.putIfAbsent(id, "files." + name));
        Map<String, Object> stored = new LinkedHashMap<>();
        long size = 0;
        switch (forms.get(0)) {
            case "workUnits" -> {
                JsonNode list = fields.array(node, "", "workUnits", true, Integer.MAX_VALUE);
                List<Object> units = new ArrayList<>();
                if (list != null && list.isEmpty()) {
                    fields.problem("workUnits", "must hold at least one work unit");
                }
                for (int i = 0; list != null && i < list.size(); i++) {
                    String path = "workUnits[" + i + "]";
                    DeployedWorkUnit unit = DeployedWorkUnit.read(list.get(i), path, fields, maxCost);
                    if (unit != null) {
                        unit.files().forEach((name, id) -> {
                            if (shared.containsKey(name)) {
                                fields.problem(path + ".files." + name, "is also one of params.files, which every"
                                        + " work unit has");
                            }
                            fileBlobs.putIfAbsent(id, path + ".files." + name);
                        });
                        units.add(unit.toJson());
                    }
                }
                stored.put("workUnits", units);
                size = list == null ? 0 : list.size();
            }
            case "sweep" -> {
                Sweep sweep = Sweep.read(node.get("sweep"), "sweep", fields, maxCost);
                if (sweep != null) {
                    BigInteger n = sweep.size();
                    if (n.compareTo(BigInteger.valueOf(maxWorkUnits)) > 0) {
                        fields.problem("sweep.step", "the sweep makes " + n + " work units; a stage may have at most "
                                + maxWorkUnits + " (a larger step makes fewer)");
                    } else {
                        size = n.longValueExact();
                        stored.put("sweep", sweep.toJson());
                    }
                }
            }
            default -> {
                String blob = fields.string(node, "", "workUnitsBlob", true, 71);
                if (blob != null && !blobs.readable(List.of(blob), caller).contains(blob)) {
                    fields.problem("workUnitsBlob", "no blob " + blob + " is stored on this coordinator for you;"
                            + " upload it first with POST /api/v1/blobs");
                } else if (blob != null && fields.ok()) {
                    size = lines.check(blob, fields, maxCost, shared.keySet(), maxWorkUnits,
                            ids -> blobs.readable(ids, caller));
                    stored.put("workUnitsBlob", blob);
                }
            }
        }
        Set<String> readable = blobs.readable(fileBlobs.keySet(), caller);
        fileBlobs.forEach((id, where) -> {
            if (!readable.contains(id)) {
                fields.problem(where, "no blob " + id + " is stored on this coordinator for you; upload it first"
                        + " with POST /api/v1/blobs");
            }
        });
        if (!fields.ok()) {
            throw invalid(fields);
        }
        if (!shared.isEmpty()) {
            stored.put("files", shared);
        }
        return new Checked(new JobParams(stored), size);
    }

    private static InvalidParamsException invalid(JsonFields fields) {
        return new InvalidParamsException(fields.problems().stream()
                .map(p -> new ParamError(p.path(), p.message())).toList());
    }

    /** The work units of stored parameters (written by {@link #check}), each computed from its index. */
    StagePlan plan(DeployedApp app, JobParams params) {
        JsonNode node = json.valueToTree(params.asMap());
        JsonFields fields = new JsonFields();
        SortedMap<String, String> shared = DeployedWorkUnit.files(node, "", "files", fields);
        if (node.has("workUnits")) {
            JsonNode list = node.get("workUnits");
            List<DeployedWorkUnit> units = new ArrayList<>(list.size());
            for (JsonNode unit : list) {
                units.add(DeployedWorkUnit.read(unit, "", fields, Double.MAX_VALUE));
            }
            check(fields);
            return StagePlan.of(units.size(), i -> app.workUnit(i, units.get((int) i), shared));
        }
        if (node.has("sweep")) {
            Sweep sweep = Sweep.read(node.get("sweep"), "sweep", fields, Double.MAX_VALUE);
            check(fields);
            return StagePlan.of(sweep.size().longValueExact(), i -> app.workUnit(i, sweep.workUnit(i), shared));
        }
        WorkUnitLines.Reader reader = lines.reader(node.get("workUnitsBlob").asString());
        return StagePlan.of(reader.size(), i -> app.workUnit(i, lines.parse(reader.line(i)), shared));
    }

    private static void check(JsonFields fields) {
        if (!fields.ok()) {
            throw new IllegalStateException("stored parameters no longer read: " + fields.problems());
        }
    }
}
