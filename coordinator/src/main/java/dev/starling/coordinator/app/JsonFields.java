package dev.starling.coordinator.app;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads the fields of a JSON document written by a client (a manifest, a deployed app's job parameters, a line of
 * a work unit list) one at a time, noting a problem for each field that is missing, unknown, of the wrong type or
 * out of range instead of stopping at the first; the caller turns the problems into a 400 that names each field.
 * Paths name fields as the API does: {@code limits.memoryMiB}, {@code workUnits[3].args[0]}.
 */
final class JsonFields {
    /** One problem with one field. */
    record Problem(String path, String message) {}

    /** Characters a text field may not hold: control characters other than tab and newlines (PostgreSQL refuses NUL). */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

    private final List<Problem> problems = new ArrayList<>();

    List<Problem> problems() {
        return problems;
    }

    boolean ok() {
        return problems.isEmpty();
    }

    void problem(String path, String message) {
        problems.add(new Problem(path, message));
    }

    static String path(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    /** Whether {@code node} is an object with only {@code known} fields; notes what is wrong when it is not. */
    boolean object(JsonNode node, String path, Collection<String> known) {
        if (node == null || !node.isObject()) {
            problem(path, "must be a JSON object");
            return false;
        }
        boolean ok = true;
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                problem(path(path, name), "unknown field; known fields: " + String.join(", ", new TreeSet<>(known)));
                ok = false;
            }
        }
        return ok;
    }

    /** A present, non-null field, or null (noted when required). */
    JsonNode field(JsonNode object, String path, String name, boolean required) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                problem(path(path, name), "is required");
            }
            return null;
        }
        return value;
    }

    /** A string of at most {@code maxLength} characters without control characters, or null. */
    String string(JsonNode object, String path, String name, boolean required, int maxLength) {
        JsonNode value = field(object, path, name, required);
        return value == null ? null : string(value, path(path, name), maxLength, false);
    }

    /** The text of {@code value}, or null when it is not a string of at most {@code maxLength} characters. */
    String string(JsonNode value, String path, int maxLength, boolean anyCharacter) {
        if (!value.isString()) {
            problem(path, "must be a string");
            return null;
        }
        String text = value.asString();
        if (text.length() > maxLength) {
            problem(path, "has " + text.length() + " characters; at most " + maxLength);
            return null;
        }
        if (!anyCharacter && CONTROL.matcher(text).find()) {
            problem(path, "must not hold control characters");
            return null;
        }
        return text;
    }

    /** A whole number within [min, max], or null. */
    Long integer(JsonNode object, String path, String name, boolean required, long min, long max) {
        JsonNode value = field(object, path, name, required);
        if (value == null) {
            return null;
        }
        String where = path(path, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            if (value.isIntegralNumber()) {
                problem(where, "must be between " + min + " and " + max);
            } else {
                problem(where, "must be a whole number");
            }
            return null;
        }
        long n = value.asLong();
        if (n < min || n > max) {
            problem(where, "must be between " + min + " and " + max + ", got " + n);
            return null;
        }
        return n;
    }

    /** A finite number within [min, max], or null. */
    Double number(JsonNode object, String path, String name, boolean required, double min, double max) {
        JsonNode value = field(object, path, name, required);
        if (value == null) {
            return null;
        }
        String where = path(path, name);
        if (!value.isNumber()) {
            problem(where, "must be a number");
            return null;
        }
        double n = value.asDouble();
        if (!(n >= min && n <= max)) {
            problem(where, "must be between " + min + " and " + max + ", got " + value);
            return null;
        }
        return n;
    }

    /** true or false, or null. */
    Boolean bool(JsonNode object, String path, String name, boolean required) {
        JsonNode value = field(object, path, name, required);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            problem(path(path, name), "must be true or false");
            return null;
        }
        return value.asBoolean();
    }

    /** An array of at most {@code maxItems} items, or null. */
    JsonNode array(JsonNode object, String path, String name, boolean required, int maxItems) {
        JsonNode value = field(object, path, name, required);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            problem(path(path, name), "must be a JSON array");
            return null;
        }
        if (value.size() > maxItems) {
            problem(path(path, name), "has " + value.size() + " items; at most " + maxItems);
            return null;
        }
        return value;
    }

    /** Entries of an object field of at most {@code maxEntries} entries, or null. */
    Map<String, JsonNode> map(JsonNode object, String path, String name, boolean required, int maxEntries) {
        JsonNode value = field(object, path, name, required);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            problem(path(path, name), "must be a JSON object");
            return null;
        }
        if (value.size() > maxEntries) {
            problem(path(path, name), "has " + value.size() + " entries; at most " + maxEntries);
            return null;
        }
        Map<String, JsonNode> entries = new java.util.LinkedHashMap<>();
        value.properties().forEach(e -> entries.put(e.getKey(), e.getValue()));
        return entries;
    }
}
