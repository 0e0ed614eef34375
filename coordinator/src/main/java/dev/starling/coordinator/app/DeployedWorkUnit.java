package dev.starling.coordinator.app;

import dev.starling.sdk.ContentAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One work unit of a deployed app's job, as the job describes it: {@code {"args":[...], "stdin":"...",
 * "files":{"a.dat":"sha256:..."}, "cost":1.0}}, every field optional.
 *
 * @param files file name under {@code /input/} to blob id, in name order
 * @param cost relative to the app's {@code credit.perWorkUnit}: the work unit earns their product
 */
record DeployedWorkUnit(List<String> args, String stdin, SortedMap<String, String> files, double cost) {
    static final int MAX_ARGS = 1000;
    static final int MAX_ARG_LENGTH = 4096;
    static final int MAX_STDIN = 65_536;
    static final int MAX_FILES = 64;
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    static final List<String> FIELDS = List.of("args", "stdin", "files", "cost");

    DeployedWorkUnit {
        args = List.copyOf(args);
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /**
     * Reads a work unit, or returns null with its problems noted.
     *
     * @param maxCost the largest cost the app's credit allows ({@code maxCreditPerWorkUnit / perWorkUnit})
     */
    static DeployedWorkUnit read(JsonNode node, String path, JsonFields fields, double maxCost) {
        int before = fields.problems().size();
        if (!fields.object(node, path, FIELDS)) {
            return null;
        }
        List<String> args = args(node, path, fields);
        String stdin = fields.field(node, path, "stdin", false) == null ? ""
                : fields.string(node.get("stdin"), JsonFields.path(path, "stdin"), MAX_STDIN, true);
        SortedMap<String, String> files = files(node, path, "files", fields);
        Double cost = fields.number(node, path, "cost", false, 0, maxCost);
        if (fields.problems().size() > before) {
            return null;
        }
        return new DeployedWorkUnit(args, stdin, files, cost == null ? 1.0 : cost);
    }

    /** The {@code args} array of {@code node}: strings without NUL (a C argument cannot hold one). */
    static List<String> args(JsonNode node, String path, JsonFields fields) {
        List<String> args = new ArrayList<>();
        JsonNode array = fields.array(node, path, "args", false, MAX_ARGS);
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                String where = JsonFields.path(path, "args") + "[" + i + "]";
                String arg = fields.string(array.get(i), where, MAX_ARG_LENGTH, true);
                if (arg != null && arg.indexOf('\0') >= 0) {
                    fields.problem(where, "must not hold NUL characters");
                } else if (arg != null) {
                    args.add(arg);
                }
            }
        }
        return args;
    }

    /** A map of file names to blob ids (the field {@code name} of {@code node}), empty when it is absent. */
    static SortedMap<String, String> files(JsonNode node, String path, String name, JsonFields fields) {
        SortedMap<String, String> files = new TreeMap<>();
        Map<String, JsonNode> entries = fields.map(node, path, name, false, MAX_FILES);
        if (entries == null) {
            return files;
        }
        entries.forEach((file, blob) -> {
            String where = JsonFields.path(JsonFields.path(path, name), file);
            if (!FILE_NAME.matcher(file).matches()) {
                fields.problem(where, "'" + file + "' is not a file name: letters, digits, '.', '_' and '-', not"
                        + " starting with '.' or '-', at most 128 characters");
            } else if (!blob.isString() || !ContentAddress.isValid(blob.asString())) {
                fields.problem(where, "must be a blob id, sha256:<64 lower-case hex digits>");
            } else {
                files.put(file, blob.asString());
            }
        });
        return files;
    }

    /** As a job's parameters store it: fields left at their defaults are left out. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        if (!args.isEmpty()) {
            json.put("args", args);
        }
        if (!stdin.isEmpty()) {
            json.put("stdin", stdin);
        }
        if (!files.isEmpty()) {
            json.put("files", files);
        }
        if (cost != 1.0) {
            json.put("cost", cost);
        }
        return json;
    }
}
