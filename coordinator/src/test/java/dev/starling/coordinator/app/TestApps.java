package dev.starling.coordinator.app;

import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import java.util.ArrayList;
import java.util.List;

/** An app catalog with the apps on the class path plus test-only ones, for a test's Spring context. */
public final class TestApps {
    private TestApps() {}

    public static AppCatalog catalogWith(App... extra) {
        List<App> all = new ArrayList<>(Apps.load(TestApps.class.getClassLoader()).all());
        all.addAll(List.of(extra));
        return new AppCatalog(Apps.of(all.toArray(App[]::new)));
    }
}
