package dev.starling.coordinator.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ContentTooLargeException;
import dev.starling.coordinator.web.UnsupportedMediaTypeException;
import dev.starling.sdk.App;
import dev.starling.sdk.ParamSpec;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The apps: the built-in ones and the deployed (WebAssembly) versions a caller may see, deploying one
 * ({@code multipart/form-data}: parts {@code manifest} and {@code module}, and {@code signature} where the project
 * signs its apps: {@link AppSigning}), one version, and sharing.
 */
@RestController
@RequestMapping("/api/v1/apps")
class AppController {
    /** the largest manifest part */
    static final int MAX_MANIFEST_BYTES = 64 * 1024;

    private final AppCatalog catalog;
    private final DeployedApps deployed;
    private final DeployUploads uploads;

    AppController(AppCatalog catalog, DeployedApps deployed, DeployUploads uploads) {
        this.catalog = catalog;
        this.deployed = deployed;
        this.uploads = uploads;
    }

    /** Built-in apps, then the deployed apps the caller may see (shared ones, their own; all for the admin). */
    @GetMapping
    List<AppView> list(@Parameter(hidden = true) Optional<Caller> caller) {
        List<AppView> list = new ArrayList<>(catalog.all().stream().map(AppView::of).toList());
        deployed.visible(caller).forEach(d -> list.add(AppView.of(d)));
        return list;
    }

    @GetMapping("/{name}/versions/{version}")
    DeployedApps.VersionView version(@PathVariable String name, @PathVariable String version,
            @Parameter(hidden = true) Optional<Caller> caller) {
        return deployed.version(name, version, caller);
    }

    /**
     * Deploys a version: {@code 201} with its {@code Location} when new, {@code 200} when the same manifest and
     * module were deployed as this version before.
     */
    @PostMapping
    ResponseEntity<DeployedApps.VersionView> deploy(HttpServletRequest request, Caller caller) throws IOException {
        String type = request.getContentType();
        if (type == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(MediaType.parseMediaType(type))) {
            throw new UnsupportedMediaTypeException("deploy with a multipart/form-data body: a part 'manifest'"
                    + " (application/json) and a part 'module' (application/wasm), e.g. curl -F manifest=@app.json"
                    + " -F module=@app.wasm, and a part 'signature' when the project signs its apps");
        }
        byte[] manifest = part(request, "manifest", MAX_MANIFEST_BYTES);
        byte[] module = part(request, "module", uploads.maxModuleBytes());
        byte[] signature = optionalPart(request, AppSigning.PART, AppSigning.MAX_PART_BYTES);
        DeployedApps.Deployed d = deployed.deploy(manifest, module, signature, caller);
        URI location = URI.create("/api/v1/apps/" + d.version().name() + "/versions/" + d.version().version());
        return ResponseEntity.status(d.created() ? HttpStatus.CREATED : HttpStatus.OK).location(location)
                .body(d.version());
    }

    /** A part's bytes, at most {@code max} of them. */
    private byte[] part(HttpServletRequest request, String name, long max) throws IOException {
        byte[] bytes = optionalPart(request, name, max);
        if (bytes == null) {
            throw new BadRequestException(name, "is required: a part named '" + name + "' of the multipart body");
        }
        return bytes;
    }

    /** A part's bytes, at most {@code max} of them; null when the body has no such part. */
    private byte[] optionalPart(HttpServletRequest request, String name, long max) throws IOException {
        Part part;
        try {
            part = request.getPart(name);
        } catch (IllegalStateException e) {
            // the servlet container's multipart limits (DeployUploads)
            throw new ContentTooLargeException("a module may have at most " + uploads.maxModuleBytes()
                    + " bytes (starling.apps.max-module-size) and a manifest " + MAX_MANIFEST_BYTES);
        } catch (ServletException e) {
            throw new BadRequestException("body", "is not a well-formed multipart/form-data body: " + e.getMessage());
        }
        if (part == null) {
            return null;
        }
        if (part.getSize() > max) {
            throw new ContentTooLargeException("the part '" + name + "' has " + part.getSize() + " bytes; at most "
                    + max);
        }
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        } finally {
            part.delete();
        }
    }

    /** Shares the app (every version of its name) with every researcher: its owner's or the admin's call. */
    @PostMapping("/{name}/share")
    AppView share(@PathVariable String name, Caller caller) {
        return AppView.of(deployed.share(name, true, caller));
    }

    @PostMapping("/{name}/unshare")
    AppView unshare(@PathVariable String name, Caller caller) {
        return AppView.of(deployed.share(name, false, caller));
    }

    /**
     * An app as listed: built-in apps as before ({@code kind} added); a deployed app by its name, with its newest
     * enabled release as {@code version} (null when it has none), and every version.
     *
     * @param researcherId a deployed app's owner, shown only to the owner and the admin (absent: the admin's app)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AppView(String name, String version, String description, List<ParamView> params, String kind,
            Boolean shared, Long researcherId, List<VersionSummary> versions) {
        static AppView of(App app) {
            var info = app.info();
            return new AppView(info.name(), info.version(), info.description(),
                    info.params().stream().map(ParamView::of).toList(), "built-in", null, null, null);
        }

        static AppView of(DeployedApps.DeployedName d) {
            Optional<DeployedApps.VersionView> newest = d.versions().stream()
                    .filter(v -> v.state() == VersionState.ENABLED && !SemanticVersion.parse(v.version()).isPreRelease())
                    .max(Comparator.comparing(v -> SemanticVersion.parse(v.version())));
            return new AppView(d.name(), newest.map(DeployedApps.VersionView::version).orElse(null),
                    newest.or(() -> d.versions().stream().reduce((a, b) -> b))
                            .map(DeployedApps.VersionView::description).orElse(""),
                    List.of(), "deployed", d.shared(), d.researcherId(),
                    d.versions().stream().map(VersionSummary::of).toList());
        }
    }

    /** One version of a deployed app in the list. */
    record VersionSummary(String version, VersionState state, String module, long moduleSize, Instant createdAt) {
        static VersionSummary of(DeployedApps.VersionView v) {
            return new VersionSummary(v.version(), v.state(), v.module(), v.moduleSize(), v.createdAt());
        }
    }

    record ParamView(String name, String type, String description, boolean required, Object defaultValue,
            Number min, Number max) {
        static ParamView of(ParamSpec p) {
            boolean whole = p.type() == ParamSpec.Type.INTEGER;
            return new ParamView(p.name(), p.type().name().toLowerCase(java.util.Locale.ROOT), p.description(),
                    p.required(), p.defaultValue(), bound(p.min(), whole), bound(p.max(), whole));
        }

        private static Number bound(Double value, boolean whole) {
            if (value == null || !whole) {
                return value;
            }
            return value.longValue();
        }
    }
}
