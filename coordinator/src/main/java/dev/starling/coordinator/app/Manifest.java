package dev.starling.coordinator.app;

import dev.starling.coordinator.StarlingProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a researcher says about a deployed app version (the {@code manifest} part of {@code POST /api/v1/apps}),
 * every field checked and bounded. Stored as {@link #toJson()} writes it, defaults filled in.
 *
 * @param deterministic false when the app opts out of the sandbox's deterministic clocks and random bytes
 */
record Manifest(String name, String version, String description, Limits limits, Validation validation,
        double creditPerWorkUnit, boolean deterministic) {
    /** the multipart part's name: fields are named {@code manifest.limits.memoryMiB} in problems */
    static final String ROOT = "manifest";
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    static final int MAX_DESCRIPTION = 500;
    static final long DEFAULT_SCRATCH_BYTES = 64L << 20;

    /**
     * What one task of the app may use.
     *
     * @param maxCpuSeconds the task's own CPU time, not wall time
     * @param maxOutputBytes the most standard output a task may write
     * @param maxScratchBytes the task's scratch folder and {@code /output/} together
     */
    record Limits(int memoryMiB, int maxCpuSeconds, long maxOutputBytes, long maxScratchBytes) {}

    /** The operator's maxima a manifest must keep within. */
    record Rules(int maxMemoryMiB, int maxCpuSeconds, long maxOutputBytes, long maxScratchBytes, double maxCredit) {
        static Rules of(StarlingProperties properties) {
            StarlingProperties.Apps apps = properties.apps();
            return new Rules(apps.maxMemoryMib(), apps.maxCpuSeconds(), properties.limits().maxInlineOutputBytes(),
                    apps.maxScratch().toBytes(), apps.maxCreditPerWorkUnit());
        }
    }

    /** The manifest, or null with the problems noted in {@code fields}. */
    static Manifest parse(JsonNode json, Rules rules, JsonFields fields) {
        if (!fields.object(json, ROOT, List.of("name", "version", "description", "limits", "validation", "credit",
                "deterministic"))) {
            return null;
        }
        String name = fields.string(json, ROOT, "name", true, 63);
        if (name != null && !NAME.matcher(name).matches()) {
            fields.problem(ROOT + ".name", "'" + name + "' is not an app name: a lower-case letter, then lower-case letters,"
                    + " digits and dashes, at most 63 characters");
        }
        String version = fields.string(json, ROOT, "version", true, SemanticVersion.MAX_LENGTH);
        String versionProblem = version == null ? null : SemanticVersion.problem(version);
        if (versionProblem != null) {
            fields.problem(ROOT + ".version", versionProblem);
        }
        String description = fields.string(json, ROOT, "description", false, MAX_DESCRIPTION);
        Limits limits = limits(json, rules, fields);
        Validation validation = validation(json, fields);
        Double credit = null;
        JsonNode creditNode = fields.field(json, ROOT, "credit", true);
        if (creditNode != null && fields.object(creditNode, ROOT + ".credit", List.of("perWorkUnit"))) {
            credit = fields.number(creditNode, ROOT + ".credit", "perWorkUnit", true, 0, rules.maxCredit());
        }
        Boolean deterministic = fields.bool(json, ROOT, "deterministic", false);
        if (!fields.ok()) {
            return null;
        }
        return new Manifest(name, version, description == null ? "" : description, limits, validation, credit,
                deterministic == null || deterministic);
    }

    private static Limits limits(JsonNode json, Rules rules, JsonFields fields) {
        JsonNode node = fields.field(json, ROOT, "limits", true);
        if (node == null || !fields.object(node, ROOT + ".limits", List.of("memoryMiB", "maxCpuSeconds", "maxOutputBytes",
                "maxScratchBytes"))) {
            return null;
        }
        Long memory = fields.integer(node, ROOT + ".limits", "memoryMiB", true, 1, rules.maxMemoryMiB());
        Long cpu = fields.integer(node, ROOT + ".limits", "maxCpuSeconds", true, 1, rules.maxCpuSeconds());
        Long output = fields.integer(node, ROOT + ".limits", "maxOutputBytes", true, 1, rules.maxOutputBytes());
        Long scratch = fields.integer(node, ROOT + ".limits", "maxScratchBytes", false, 0, rules.maxScratchBytes());
        if (memory == null || cpu == null || output == null || !fields.ok()) {
            return null;
        }
        return new Limits(memory.intValue(), cpu.intValue(), output,
                scratch != null ? scratch : Math.min(DEFAULT_SCRATCH_BYTES, rules.maxScratchBytes()));
    }

    private static Validation validation(JsonNode json, JsonFields fields) {
        JsonNode node = fields.field(json, ROOT, "validation", true);
        if (node == null || !fields.object(node, ROOT + ".validation", List.of("kind", "relTolerance", "absTolerance"))) {
            return null;
        }
        String kind = fields.string(node, ROOT + ".validation", "kind", true, 20);
        if (kind == null) {
            return null;
        }
        switch (kind) {
            case "bitwise" -> {
                for (String tolerance : List.of("relTolerance", "absTolerance")) {
                    if (node.has(tolerance)) {
                        fields.problem(ROOT + ".validation." + tolerance, "is for numeric validation only");
                    }
                }
                return new Validation.Bitwise();
            }
            case "numeric" -> {
                Double rel = fields.number(node, ROOT + ".validation", "relTolerance", false, 0, 1);
                Double abs = fields.number(node, ROOT + ".validation", "absTolerance", false, 0, Double.MAX_VALUE);
                if (!node.has("relTolerance") && !node.has("absTolerance")) {
                    fields.problem(ROOT + ".validation", "numeric validation needs relTolerance, absTolerance or both");
                }
                return new Validation.Numeric(rel == null ? 0 : rel, abs == null ? 0 : abs);
            }
            default -> {
                fields.problem(ROOT + ".validation.kind", "must be bitwise or numeric, got '" + kind + "'");
                return null;
            }
        }
    }

    /** As stored and shown, defaults filled in. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("version", version);
        json.put("description", description);
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("memoryMiB", limits.memoryMiB());
        l.put("maxCpuSeconds", limits.maxCpuSeconds());
        l.put("maxOutputBytes", limits.maxOutputBytes());
        l.put("maxScratchBytes", limits.maxScratchBytes());
        json.put("limits", l);
        json.put("validation", validation.toJson());
        json.put("credit", Map.of("perWorkUnit", creditPerWorkUnit));
        json.put("deterministic", deterministic);
        return json;
    }

    /** A stored manifest (written by {@link #toJson()}): trusted, so not checked against today's rules. */
    static Manifest read(JsonNode json) {
        JsonNode l = json.get("limits");
        JsonNode v = json.get("validation");
        Validation validation = v.get("kind").asString().equals("numeric")
                ? new Validation.Numeric(v.get("relTolerance").asDouble(), v.get("absTolerance").asDouble())
                : new Validation.Bitwise();
        return new Manifest(json.get("name").asString(), json.get("version").asString(),
                json.get("description").asString(), new Limits(l.get("memoryMiB").asInt(),
                        l.get("maxCpuSeconds").asInt(), l.get("maxOutputBytes").asLong(),
                        l.get("maxScratchBytes").asLong()), validation,
                json.get("credit").get("perWorkUnit").asDouble(), json.get("deterministic").asBoolean());
    }
}
