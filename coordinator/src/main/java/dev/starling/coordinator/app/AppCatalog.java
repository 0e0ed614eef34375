package dev.starling.coordinator.app;

import dev.starling.coordinator.web.BadRequestException;
import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import java.util.Collection;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The apps installed on this coordinator, found on the class path through the task SDK. */
@Component
public class AppCatalog {
    private final Apps apps;

    public AppCatalog() {
        this(Apps.load(AppCatalog.class.getClassLoader()));
    }

    AppCatalog(Apps apps) {
        this.apps = apps;
    }

    public Optional<App> find(String name) {
        return apps.find(name);
    }

    /** The app for a job being submitted; an unknown name is the client's mistake and names the known apps. */
    public App require(String field, String name) {
        return apps.find(name).orElseThrow(() -> new BadRequestException(field,
                "unknown app '" + name + "'; installed apps: " + String.join(", ", apps.names())));
    }

    /** The app of a stored job; missing means the coordinator was started without an app it had before. */
    public App installed(String name) {
        return apps.find(name).orElseThrow(() -> new IllegalStateException(
                "app '" + name + "' is not installed on this coordinator; install it and restart"));
    }

    public Collection<App> all() {
        return apps.all();
    }
}
