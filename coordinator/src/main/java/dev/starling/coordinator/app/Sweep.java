package dev.starling.coordinator.app;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A parameter sweep ({@code params.sweep}): the range {@code [from, to)} cut into pieces of {@code step}, one work
 * unit each, whose {@code args} and {@code stdin} have {@code {from}}, {@code {to}} (the piece's end, exclusive,
 * clipped to the sweep's) and {@code {index}} substituted. Each work unit is computed from its index: a sweep of a
 * million work units never exists in memory.
 */
record Sweep(long from, long to, long step, List<String> args, String stdin, double cost) {
    static final List<String> FIELDS = List.of("from", "to", "step", "args", "stdin", "cost");

    Sweep {
        args = List.copyOf(args);
    }

    /** The sweep, or null with its problems noted under {@code path}. */
    static Sweep read(JsonNode node, String path, JsonFields fields, double maxCost) {
        int before = fields.problems().size();
        if (!fields.object(node, path, FIELDS)) {
            return null;
        }
        Long from = fields.integer(node, path, "from", true, Long.MIN_VALUE, Long.MAX_VALUE);
        Long to = fields.integer(node, path, "to", true, Long.MIN_VALUE, Long.MAX_VALUE);
        Long step = fields.integer(node, path, "step", false, 1, Long.MAX_VALUE);
        List<String> args = DeployedWorkUnit.args(node, path, fields);
        String stdin = fields.field(node, path, "stdin", false) == null ? ""
                : fields.string(node.get("stdin"), JsonFields.path(path, "stdin"), DeployedWorkUnit.MAX_STDIN, true);
        Double cost = fields.number(node, path, "cost", false, 0, maxCost);
        if (from != null && to != null && to <= from) {
            fields.problem(JsonFields.path(path, "to"), "must be greater than from (" + from + "), got " + to);
        }
        if (fields.problems().size() > before) {
            return null;
        }
        return new Sweep(from, to, step == null ? 1 : step, args, stdin, cost == null ? 1.0 : cost);
    }

    /** How many work units: the pieces of {@code step} in {@code [from, to)}, the last one maybe shorter. */
    BigInteger size() {
        return BigInteger.valueOf(to).subtract(BigInteger.valueOf(from))
                .add(BigInteger.valueOf(step - 1)).divide(BigInteger.valueOf(step));
    }

    /** Work unit {@code index} of the sweep (its files are the job's shared ones). */
    DeployedWorkUnit workUnit(long index) {
        long lo = BigInteger.valueOf(from).add(BigInteger.valueOf(index).multiply(BigInteger.valueOf(step)))
                .longValueExact();
        long hi;
        try {
            hi = Math.min(Math.addExact(lo, step), to);
        } catch (ArithmeticException e) {
            hi = to; // lo + step is past Long.MAX_VALUE, so past to
        }
        String f = Long.toString(lo);
        String t = Long.toString(hi);
        String i = Long.toString(index);
        return new DeployedWorkUnit(args.stream().map(a -> substitute(a, f, t, i)).toList(), substitute(stdin, f, t, i),
                new java.util.TreeMap<>(), cost);
    }

    private static String substitute(String template, String from, String to, String index) {
        return template.replace("{from}", from).replace("{to}", to).replace("{index}", index);
    }

    /** As a job's parameters store it: fields left at their defaults are left out. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("from", from);
        json.put("to", to);
        json.put("step", step);
        if (!args.isEmpty()) {
            json.put("args", args);
        }
        if (!stdin.isEmpty()) {
            json.put("stdin", stdin);
        }
        if (cost != 1.0) {
            json.put("cost", cost);
        }
        return json;
    }
}
