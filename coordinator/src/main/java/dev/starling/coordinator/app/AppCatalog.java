package dev.starling.coordinator.app;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.sdk.App;
import dev.starling.sdk.Apps;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamSpec;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The apps this coordinator runs jobs of: the built-in ones (found on the class path through the task SDK), by name,
 * and the deployed (WebAssembly) versions, by {@code name@version}. A deployed version is immutable, so its
 * {@link DeployedApp} is cached; its state (enabled, disabled, revoked) is read fresh where it matters.
 */
@Component
public class AppCatalog {
    private final Apps apps;
    private final AppVersionTable versions;
    private final DeployedParams params;
    private final JsonMapper json;
    private final AppSigning signing;
    private final Cache<String, DeployedApp> deployed = Caffeine.newBuilder().maximumSize(1000).build();

    AppCatalog(Apps apps, AppVersionTable versions, DeployedParams params, JsonMapper json, AppSigning signing) {
        this.signing = signing;
        this.apps = apps;
        this.versions = versions;
        this.params = params;
        this.json = json;
    }

    /** What jobs and tasks name an app by: a built-in app's name, a deployed version's {@code name@version}. */
    public static String id(App app) {
        return app instanceof DeployedApp d ? d.id() : app.info().name();
    }

    /** Whether a job or task's app is a deployed version ({@code name@version}). */
    public static boolean isDeployed(String app) {
        return app.indexOf('@') > 0;
    }

    /** The app a job or task names: a built-in app, or a deployed version in any state. */
    public Optional<App> find(String name) {
        if (!isDeployed(name)) {
            return apps.find(name);
        }
        int at = name.indexOf('@');
        return Optional.ofNullable(deployed.get(name, id -> versions.find(name.substring(0, at),
                name.substring(at + 1)).map(this::create).orElse(null)));
    }

    /**
     * The app for a job being submitted, pinned: a built-in name, {@code name@version}, or a deployed name alone for
     * its newest enabled release (by semantic version; pre-releases only when named). A deployed app must be one the
     * caller may run (theirs, shared, or any for the admin); one they may not is as unknown, so names leak nothing.
     *
     * @throws BadRequestException for an unknown app
     * @throws ConflictException for a version that takes no new jobs (disabled or revoked, or not signed by a key
     *     this coordinator trusts), or a name without an enabled release
     */
    public App require(String field, String name, Caller caller) {
        if (!isDeployed(name)) {
            Optional<App> builtIn = apps.find(name);
            if (builtIn.isPresent()) {
                return builtIn.get();
            }
            List<AppVersionTable.VersionRow> all = versions.ofName(name).stream()
                    .filter(v -> mayRun(v, caller)).toList();
            if (all.isEmpty()) {
                throw unknown(field, name);
            }
            return all.stream().filter(v -> v.state() == VersionState.ENABLED)
                    .map(v -> Map.entry(v, SemanticVersion.parse(v.version())))
                    .filter(e -> !e.getValue().isPreRelease())
                    .max(Map.Entry.comparingByValue())
                    .map(e -> signedOrRefused(deployed(e.getKey()), e.getKey()))
                    .orElseThrow(() -> new ConflictException("app " + name + " has no enabled release to run;"
                            + " name a version (" + name + "@...): " + all.stream()
                                    .map(v -> v.version() + " " + v.state().name().toLowerCase(java.util.Locale.ROOT))
                                    .toList()));
        }
        int at = name.indexOf('@');
        AppVersionTable.VersionRow row = versions.find(name.substring(0, at), name.substring(at + 1))
                .filter(v -> mayRun(v, caller)).orElseThrow(() -> unknown(field, name));
        if (row.state() != VersionState.ENABLED) {
            throw new ConflictException("app " + name + " is " + row.state().name().toLowerCase(java.util.Locale.ROOT)
                    + " and takes no new jobs" + (row.stateReason() == null ? "" : ": " + row.stateReason()));
        }
        return signedOrRefused(deployed(row), row);
    }

    /** A version that takes jobs only if its signature is one today's keys trust (workers would refuse it). */
    private DeployedApp signedOrRefused(DeployedApp app, AppVersionTable.VersionRow row) {
        String problem = signing.problem(app.manifest(), app.module(), row.signature());
        if (problem != null) {
            throw new ConflictException("app " + app.id() + " takes no new jobs: " + problem);
        }
        return app;
    }

    /** Whether the caller may run jobs of the version: its name's owner, the admin, or anyone once it is shared. */
    static boolean mayRun(AppVersionTable.VersionRow version, Caller caller) {
        return caller.isAdmin() || version.shared()
                || (caller.role() == Caller.Role.RESEARCHER && Objects.equals(version.researcherId(), caller.id()));
    }

    private BadRequestException unknown(String field, String name) {
        return new BadRequestException(field, "unknown app '" + name + "'; built-in apps: "
                + String.join(", ", apps.names()) + "; deployed apps are named name or name@version (GET /api/v1/apps"
                + " lists those you may run)");
    }

    /** The app of a stored job; missing means the coordinator was started without a built-in app it had before. */
    public App installed(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(
                "app '" + name + "' is not installed on this coordinator; install it and restart"));
    }

    /**
     * Why a reported output cannot be one of the app's, or null. Only deployed apps say (an output must be a
     * {@code WasmOutput} envelope within the manifest's limits): built-in apps' outputs are theirs to judge.
     */
    public String outputProblem(String app, byte[] output) {
        if (!isDeployed(app)) {
            return null;
        }
        Optional<App> deployedApp = find(app);
        return deployedApp.isEmpty() ? "app " + app + " is not deployed here"
                : ((DeployedApp) deployedApp.get()).outputProblem(output);
    }

    /** The built-in apps. */
    public Collection<App> all() {
        return apps.all();
    }

    /** Checks a deployed app's job parameters at submit ({@link DeployedParams}): what to store, how many work units. */
    public Checked check(DeployedApp app, Map<String, ?> raw, Caller caller, long maxWorkUnits) {
        DeployedParams.Checked checked = params.check(app, raw, caller, maxWorkUnits);
        return new Checked(checked.params(), checked.workUnits());
    }

    /** Checked parameters of a deployed app's job: what to store, and how many work units they make. */
    public record Checked(JobParams params, long workUnits) {}

    /** A stored job's parameters, typed again as its app reads them. */
    public JobParams stored(App app, Map<String, ?> stored) {
        return app instanceof DeployedApp ? new JobParams(stored) : ParamSpec.bind(app.info().params(), stored);
    }

    private DeployedApp deployed(AppVersionTable.VersionRow row) {
        return deployed.get(row.app(), id -> create(row));
    }

    private DeployedApp create(AppVersionTable.VersionRow row) {
        return new DeployedApp(row.name(), row.version(), row.moduleBlob(),
                Manifest.read(json.readTree(row.manifestJson())), params,
                row.signature() == null ? null : AppSigning.read(row.signature()));
    }

    /** Newest first, by semantic version. */
    static final Comparator<AppVersionTable.VersionRow> NEWEST_FIRST = Comparator.comparing(
            (AppVersionTable.VersionRow v) -> SemanticVersion.parse(v.version())).reversed();
}
