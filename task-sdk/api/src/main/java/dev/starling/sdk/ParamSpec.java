package dev.starling.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parameter of an app: its type, whether it is required, its default and bounds.
 * Build with {@link #integer}, {@link #number}, {@link #string} or {@link #bool} and the {@code with...}
 * methods; {@link #check} turns a raw JSON value into a typed one or explains what is wrong.
 */
public record ParamSpec(
        String name, Type type, String description, boolean required, Object defaultValue, Double min, Double max) {

    public enum Type {
        /** a whole number, as {@link Long} */
        INTEGER,
        /** a finite number, as {@link Double} */
        NUMBER,
        STRING,
        BOOLEAN,
        /**
         * a blob id ({@code sha256:<hex>}, as {@code POST /api/v1/blobs} answers), as {@link String}; the
         * coordinator refuses a job naming a blob it does not have
         */
        BLOB
    }

    /**
     * @throws IllegalArgumentException when bounds are given for a non-numeric type, {@code min > max},
     *     or the default value is not itself acceptable
     */
    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        boolean numeric = type == Type.INTEGER || type == Type.NUMBER;
        if (!numeric && (min != null || max != null)) {
            throw new IllegalArgumentException(name + ": bounds are only for numeric parameters");
        }
        if ((min != null && min.isNaN()) || (max != null && max.isNaN()) || (min != null && max != null && min > max)) {
            throw new IllegalArgumentException(name + ": bad bounds [" + min + ", " + max + "]");
        }
        if (defaultValue != null) {
            String problem = problem(type, min, max, defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException(name + ": default value " + defaultValue + " " + problem);
            }
            defaultValue = normalize(type, defaultValue);
        }
    }

    public static ParamSpec integer(String name, String description) {
        return new ParamSpec(name, Type.INTEGER, description, true, null, null, null);
    }

    public static ParamSpec number(String name, String description) {
        return new ParamSpec(name, Type.NUMBER, description, true, null, null, null);
    }

    public static ParamSpec string(String name, String description) {
        return new ParamSpec(name, Type.STRING, description, true, null, null, null);
    }

    /** A blob uploaded before the job is submitted, named by its id. */
    public static ParamSpec blob(String name, String description) {
        return new ParamSpec(name, Type.BLOB, description, true, null, null, null);
    }

    public static ParamSpec bool(String name, String description) {
        return new ParamSpec(name, Type.BOOLEAN, description, true, null, null, null);
    }

    /** Makes the parameter optional with this default. */
    public ParamSpec withDefault(Object value) {
        return new ParamSpec(name, type, description, false, value, min, max);
    }

    /** Inclusive bounds for numeric parameters; {@code null} for no bound. */
    public ParamSpec withRange(Double min, Double max) {
        return new ParamSpec(name, type, description, required, defaultValue, min, max);
    }

    /**
     * Checks the parameters of a job against the specs: unknown names, missing required ones, wrong
     * types and values out of range are reported, each naming its parameter. Defaults fill in what is
     * missing.
     *
     * @throws InvalidParamsException listing every problem found
     */
    public static JobParams bind(List<ParamSpec> specs, Map<String, ?> raw) {
        List<ParamError> errors = new ArrayList<>();
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        Map<String, ?> given = raw == null ? Map.of() : raw;
        for (String key : given.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(key))) {
                errors.add(new ParamError(key, "unknown parameter; known: "
                        + specs.stream().map(ParamSpec::name).toList()));
            }
        }
        for (ParamSpec spec : specs) {
            Object value = given.get(spec.name());
            if (value == null) {
                if (spec.required()) {
                    errors.add(new ParamError(spec.name(), "is required (" + spec.description() + ")"));
                } else if (spec.defaultValue() != null) {
                    values.put(spec.name(), spec.defaultValue());
                }
                continue;
            }
            String problem = spec.check(value);
            if (problem != null) {
                errors.add(new ParamError(spec.name(), problem));
            } else {
                values.put(spec.name(), normalize(spec.type(), value));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidParamsException(errors);
        }
        return new JobParams(values);
    }

    /** Why {@code value} is not acceptable, or {@code null} when it is. */
    public String check(Object value) {
        return problem(type, min, max, value);
    }

    private static String problem(Type type, Double min, Double max, Object value) {
        switch (type) {
            case INTEGER -> {
                if (!(value instanceof Number n) || !isWhole(n)) {
                    return "must be a whole number";
                }
                String outOfRange = outOfRange(n.doubleValue(), min, max);
                if (outOfRange == null && !fitsLong(n)) {
                    return "is too " + (n.doubleValue() > 0 ? "large" : "small") + ": a whole number must be from "
                            + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
                }
                return outOfRange;
            }
            case NUMBER -> {
                if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    return "must be a finite number";
                }
                return outOfRange(n.doubleValue(), min, max);
            }
            case STRING -> {
                return value instanceof String ? null : "must be a string";
            }
            case BOOLEAN -> {
                return value instanceof Boolean ? null : "must be true or false";
            }
            case BLOB -> {
                return value instanceof String id && ContentAddress.isValid(id) ? null
                        : "must be a blob id (sha256:<64 lower-case hex digits>, as POST /api/v1/blobs answers)";
            }
            default -> throw new IllegalStateException("unknown type " + type);
        }
    }

    private static Object normalize(Type type, Object value) {
        return switch (type) {
            case INTEGER -> ((Number) value).longValue();
            case NUMBER -> ((Number) value).doubleValue();
            default -> value;
        };
    }

    /** Whether the number has no fractional part (however large it is). */
    private static boolean isWhole(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof java.math.BigInteger) {
            return true;
        }
        if (n instanceof java.math.BigDecimal d) {
            return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
        }
        double d = n.doubleValue(); // infinite: a JSON number too large for a double, such as 1e400
        return Double.isInfinite(d) || d == Math.rint(d);
    }

    /** Whether a whole number fits in a {@code long}, as INTEGER values are bound. */
    private static boolean fitsLong(Number n) {
        if (n instanceof java.math.BigInteger b) {
            return b.bitLength() < 64;
        }
        if (n instanceof java.math.BigDecimal d) {
            return d.compareTo(java.math.BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                    && d.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
        }
        if (n instanceof Double || n instanceof Float) {
            return Math.abs(n.doubleValue()) < 0x1p63;
        }
        return true;
    }

    private static String outOfRange(double v, Double min, Double max) {
        if (min != null && v < min) {
            return "must be >= " + format(min);
        }
        if (max != null && v > max) {
            return "must be <= " + format(max);
        }
        return null;
    }

    private static String format(double bound) {
        return bound == Math.rint(bound) && Math.abs(bound) < 1e18 ? Long.toString((long) bound) : Double.toString(bound);
    }
}
