package dev.starling.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/** A job's parameters after {@link ParamSpec#bind}: typed, defaults filled in. */
public final class JobParams {
    private final Map<String, Object> values;

    public JobParams(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Binds a job's raw parameters to an app: {@link ParamSpec#bind} against its specs, then the app's own
     * {@link App#validate} checks.
     *
     * @throws InvalidParamsException listing every problem found
     */
    public static JobParams of(App app, Map<String, ?> raw) {
        JobParams params = ParamSpec.bind(app.info().params(), raw);
        java.util.List<ParamError> errors = app.validate(params);
        if (!errors.isEmpty()) {
            throw new InvalidParamsException(errors);
        }
        return params;
    }

    public long getLong(String name) {
        return ((Number) get(name)).longValue();
    }

    public double getDouble(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public String getString(String name) {
        return (String) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** All values, by parameter name. */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("no parameter " + name);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobParams p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
