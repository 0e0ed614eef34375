package dev.starling.coordinator.app;

import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import java.util.ArrayList;
import java.util.List;

/** The built-in apps on the class path plus test-only ones, for a test's Spring context (a {@code @Primary} bean). */
public final class TestApps {
    private TestApps() {}

    public static Apps with(App... extra) {
        List<App> all = new ArrayList<>(Apps.load(TestApps.class.getClassLoader()).all());
        all.addAll(List.of(extra));
        return Apps.of(all.toArray(App[]::new));
    }
}
