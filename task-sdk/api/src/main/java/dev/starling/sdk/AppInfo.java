package dev.starling.sdk;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an app says about itself.
 *
 * @param name short, stable, lower-case identifier used in job submissions (for example {@code primes})
 * @param version the app's version; workers and coordinator must agree on it
 * @param description one or two sentences for researchers
 * @param params the parameters a job of this app takes
 */
public record AppInfo(String name, String version, String description, List<ParamSpec> params) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    public AppInfo {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("app name must match " + NAME + ": " + name);
        }
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
        params = List.copyOf(params);
        if (params.stream().map(ParamSpec::name).distinct().count() != params.size()) {
            throw new IllegalArgumentException("two parameters of app " + name + " share a name");
        }
    }
}
