package dev.starling.sdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The apps found on the class path through {@link ServiceLoader}, by name. */
public final class Apps {
    private final Map<String, App> byName;

    private Apps(Map<String, App> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Loads every {@link App} visible to {@code loader}; two apps with one name are an error. */
    public static Apps load(ClassLoader loader) {
        Map<String, App> byName = new TreeMap<>();
        for (App app : ServiceLoader.load(App.class, loader)) {
            App previous = byName.putIfAbsent(app.info().name(), app);
            if (previous != null) {
                throw new IllegalStateException("two apps are named " + app.info().name() + ": "
                        + previous.getClass().getName() + " and " + app.getClass().getName());
            }
        }
        return new Apps(byName);
    }

    public static Apps load() {
        return load(Thread.currentThread().getContextClassLoader());
    }

    /** The given apps; two apps with one name are an error, as in {@link #load(ClassLoader)}. */
    public static Apps of(App... apps) {
        Map<String, App> byName = new TreeMap<>();
        for (App app : apps) {
            App previous = byName.putIfAbsent(app.info().name(), app);
            if (previous != null) {
                throw new IllegalArgumentException("two apps are named " + app.info().name());
            }
        }
        return new Apps(byName);
    }

    public Optional<App> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<App> all() {
        return byName.values();
    }

    /** The names, sorted. */
    public Collection<String> names() {
        return byName.keySet();
    }
}
