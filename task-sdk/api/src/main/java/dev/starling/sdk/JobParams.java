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
