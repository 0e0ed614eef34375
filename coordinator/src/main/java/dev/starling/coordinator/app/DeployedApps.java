package dev.starling.coordinator.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.researcher.ResearcherQuotas;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.Transactions;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.ForbiddenException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.sdk.Apps;
import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.ModuleCheck;
import dev.starling.wasm.ModuleRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deployed apps' names and versions: deploying (every check before anything is stored), who sees and runs what,
 * sharing, and the admin's disable, enable and revoke. A name belongs to whoever deployed under it first (built-in
 * names are reserved); only they and the admin deploy its versions. A version is immutable: the same name and version
 * with another module or manifest is a conflict, with the same ones it is the version already deployed.
 */
@Service
public class DeployedApps {
    private static final Logger log = LoggerFactory.getLogger(DeployedApps.class);
    /** WebAssembly's page size */
    private static final long PAGE = 64 * 1024;

    private final AppNameTable names;
    private final AppVersionTable versions;
    private final Apps builtIn;
    private final BlobService blobs;
    private final ResearcherQuotas quotas;
    private final JsonMapper json;
    private final Clock clock;
    private final Transactions transactions;
    private final ApplicationEventPublisher events;
    private final Manifest.Rules rules;
    private final long maxModuleBytes;
    private final AppSigning signing;

    DeployedApps(AppNameTable names, AppVersionTable versions, Apps builtIn, BlobService blobs, JsonMapper json,
            Clock clock, Transactions transactions, ApplicationEventPublisher events, StarlingProperties properties,
            AppSigning signing, ResearcherQuotas quotas) {
        this.quotas = quotas;
        this.signing = signing;
        this.names = names;
        this.versions = versions;
        this.builtIn = builtIn;
        this.blobs = blobs;
        this.json = json;
        this.clock = clock;
        this.transactions = transactions;
        this.events = events;
        this.rules = Manifest.Rules.of(properties);
        this.maxModuleBytes = properties.apps().maxModuleSize().toBytes();
    }

    /** A version as the API shows it; its name's owner only to the owner and the admin. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(String app, String name, String version, String description, VersionState state,
            String stateReason, Instant stateChangedAt, String module, long moduleSize,
            @JsonRawValue String manifest, boolean signed, boolean shared, Long researcherId, Instant createdAt) {}

    /** A deploy's outcome: the version, and whether this deploy created it (false: the same one was there). */
    public record Deployed(VersionView version, boolean created) {}

    /**
     * Deploys a version: checks the manifest (every field, within the operator's maxima) and the module (it parses, is
     * a WASI command, imports only what the sandbox provides, uses only deterministic features; never run), then the
     * signature when the project's keys are configured ({@link AppSigning}), then the name (not built-in, the caller's
     * or the admin's) and the version (new, or the same bytes again).
     *
     * @param signature the {@code signature} part; null when the deploy has none
     * @throws BadRequestException naming each problem of the manifest or the module
     * @throws ForbiddenException when the name belongs to another researcher
     * @throws ConflictException for a built-in name, or a version deployed with other bytes
     */
    @Transactional
    public Deployed deploy(byte[] manifestBytes, byte[] module, byte[] signature, Caller caller) {
        JsonNode node;
        try {
            node = json.readTree(manifestBytes);
        } catch (JacksonException e) {
            throw new BadRequestException(Manifest.ROOT, "is not JSON: " + e.getOriginalMessage());
        }
        JsonFields fields = new JsonFields();
        Manifest manifest = Manifest.parse(node, rules, fields);
        ModuleCheck.Report report = null;
        try {
            report = ModuleCheck.check(module, maxModuleBytes);
        } catch (ModuleRefusedException e) {
            fields.problem("module", e.getMessage());
        }
        if (manifest != null && report != null && report.initialMemoryPages() * PAGE > manifest.limits().memoryMiB() * (1L << 20)) {
            fields.problem(Manifest.ROOT + ".limits.memoryMiB", "is " + manifest.limits().memoryMiB() + " MiB, but the"
                    + " module starts with " + report.initialMemoryPages() + " pages of 64 KiB ("
                    + ceilMiB(report.initialMemoryPages() * PAGE) + " MiB): it could never start");
        }
        String moduleId = ContentAddress.of(module);
        byte[] signed = null;
        if (fields.ok()) {
            var checked = signing.check(signature, manifest, moduleId, fields);
            signed = checked == null ? null : checked.toByteArray();
        }
        if (!fields.ok()) {
            throw new BadRequestException(fields.problems().stream()
                    .map(p -> new BadRequestException.FieldError(p.path(), p.message())).toList());
        }
        if (builtIn.find(manifest.name()).isPresent()) {
            throw new ConflictException("the app name '" + manifest.name() + "' belongs to a built-in app");
        }
        Long researcher = caller.isAdmin() ? null : caller.id();
        Instant now = clock.instant();
        AppNameTable.NameRow owner = names.claim(manifest.name(), researcher, now);
        if (!caller.isAdmin() && !Objects.equals(owner.researcherId(), researcher)) {
            throw new ForbiddenException("the app name '" + manifest.name() + "' belongs to another researcher"
                    + " (the first to deploy under it); choose another name");
        }
        Optional<AppVersionTable.VersionRow> existing = versions.find(manifest.name(), manifest.version());
        if (existing.isPresent()) {
            return new Deployed(view(same(existing.get(), moduleId, manifest), Optional.of(caller)), false);
        }
        if (researcher != null) {
            quotas.checkStored(researcher, moduleId, module.length);
        }
        try {
            blobs.keep(new ByteArrayInputStream(module), researcher);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the module in the blob store", e);
        }
        String manifestJson = json.writeValueAsString(manifest.toJson());
        if (!versions.insert(manifest.name(), manifest.version(), moduleId, module.length, manifestJson,
                manifest.limits().memoryMiB(), signed, now)) {
            // deployed at this very moment by another call: the same bytes are the same version
            same(versions.find(manifest.name(), manifest.version()).orElseThrow(), moduleId, manifest);
        }
        String app = manifest.name() + "@" + manifest.version();
        AfterCommit.run(() -> log.info("Deployed {} ({} bytes, module {}) by {}", app, module.length, moduleId,
                caller.isAdmin() ? "the admin" : "researcher " + caller.id()));
        return new Deployed(view(versions.find(manifest.name(), manifest.version()).orElseThrow(),
                Optional.of(caller)), true);
    }

    /** The version already deployed, when its bytes are the same; otherwise a conflict. */
    private AppVersionTable.VersionRow same(AppVersionTable.VersionRow existing, String moduleId, Manifest manifest) {
        if (!existing.moduleBlob().equals(moduleId)) {
            throw new ConflictException(existing.app() + " is deployed already with another module (" + existing
                    .moduleBlob() + "); a version never changes: deploy this module as a new version");
        }
        if (!Manifest.read(json.readTree(existing.manifestJson())).equals(manifest)) {
            throw new ConflictException(existing.app() + " is deployed already with another manifest; a version never"
                    + " changes: deploy this manifest as a new version");
        }
        return existing;
    }

    private static long ceilMiB(long bytes) {
        return (bytes + (1L << 20) - 1) >> 20;
    }

    /** A version, if the caller may see it (its name's owner, the admin, anyone once shared). */
    public VersionView version(String name, String version, Optional<Caller> caller) {
        return versions.find(name, version).filter(v -> visible(v, caller)).map(v -> view(v, caller))
                .orElseThrow(() -> new NotFoundException("no app version " + name + "@" + version));
    }

    /** A deployed app's name with its versions (oldest first), as the caller may see them. */
    public record DeployedName(String name, boolean shared, Long researcherId, List<VersionView> versions) {}

    /** The deployed apps the caller may see, by name: the shared ones, their own, all for the admin. */
    public List<DeployedName> visible(Optional<Caller> caller) {
        boolean admin = caller.map(Caller::isAdmin).orElse(false);
        Long researcher = caller.filter(c -> c.role() == Caller.Role.RESEARCHER).map(Caller::id).orElse(null);
        Map<String, List<VersionView>> byName = new LinkedHashMap<>();
        Map<String, AppVersionTable.VersionRow> first = new LinkedHashMap<>();
        for (AppVersionTable.VersionRow v : versions.visible(admin, researcher)) {
            byName.computeIfAbsent(v.name(), n -> new ArrayList<>()).add(view(v, caller));
            first.putIfAbsent(v.name(), v);
        }
        List<DeployedName> list = new ArrayList<>();
        byName.forEach((name, views) -> {
            AppVersionTable.VersionRow v = first.get(name);
            list.add(new DeployedName(name, v.shared(), ownerShown(v, caller) ? v.researcherId() : null, views));
        });
        return list;
    }

    /**
     * Shares a name's versions with every researcher (or stops): its owner's or the admin's to decide.
     *
     * @throws NotFoundException when the caller may not see the name
     * @throws ForbiddenException when they see it (shared) but it is not theirs
     */
    @Transactional
    public DeployedName share(String name, boolean shared, Caller caller) {
        AppNameTable.NameRow row = names.find(name).filter(n -> caller.isAdmin() || n.shared()
                || Objects.equals(n.researcherId(), researcherOf(caller)))
                .orElseThrow(() -> new NotFoundException("no deployed app " + name));
        if (!caller.isAdmin() && !Objects.equals(row.researcherId(), researcherOf(caller))) {
            throw new ForbiddenException("only the owner of " + name + " and the admin may share it or stop sharing it");
        }
        if (row.shared() != shared) {
            names.setShared(name, shared);
            AfterCommit.run(() -> log.info("App {} {}", name, shared ? "shared" : "no longer shared"));
        }
        return visible(Optional.of(caller)).stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * The admin's change of a version's state: {@code DISABLED} (no new jobs), {@code ENABLED} again, or
     * {@code REVOKED} (for good; its jobs are cancelled in the same transaction and workers drop their tasks at their
     * next contact). Setting the state it has changes nothing.
     *
     * @throws ConflictException when a revoked version would be enabled or disabled
     */
    public VersionView setState(String name, String version, VersionState to, String reason) {
        String why = reason == null || reason.isBlank() ? null : reason.strip();
        if (why != null && why.length() > 500) {
            throw new BadRequestException("reason", "has " + why.length() + " characters; at most 500");
        }
        return transactions.retrying(() -> {
            AppVersionTable.VersionRow row = versions.find(name, version)
                    .orElseThrow(() -> new NotFoundException("no app version " + name + "@" + version));
            if (row.state() == to) {
                return view(row, Optional.of(Caller.ADMIN));
            }
            if (row.state() == VersionState.REVOKED) {
                throw new ConflictException(row.app() + " is revoked, for good");
            }
            List<VersionState> from = to == VersionState.REVOKED
                    ? List.of(VersionState.ENABLED, VersionState.DISABLED) : List.of(row.state());
            if (!versions.setState(name, version, from, to, why, clock.instant())) {
                throw new ConflictException(row.app() + " changed state meanwhile; try again");
            }
            if (to == VersionState.REVOKED) {
                events.publishEvent(new AppVersionRevoked(row.app(), why));
            }
            AfterCommit.run(() -> log.info("App {} {} by the admin{}", row.app(), to.name().toLowerCase(Locale.ROOT),
                    why == null ? "" : ": " + why));
            return view(versions.find(name, version).orElseThrow(), Optional.of(Caller.ADMIN));
        });
    }

    private static Long researcherOf(Caller caller) {
        return caller.role() == Caller.Role.RESEARCHER ? caller.id() : null;
    }

    private static boolean visible(AppVersionTable.VersionRow v, Optional<Caller> caller) {
        return v.shared() || caller.map(c -> AppCatalog.mayRun(v, c)).orElse(false);
    }

    private static boolean ownerShown(AppVersionTable.VersionRow v, Optional<Caller> caller) {
        return caller.map(c -> c.isAdmin() || Objects.equals(v.researcherId(), researcherOf(c))).orElse(false);
    }

    private VersionView view(AppVersionTable.VersionRow v, Optional<Caller> caller) {
        Manifest manifest = Manifest.read(json.readTree(v.manifestJson()));
        return new VersionView(v.app(), v.name(), v.version(), manifest.description(), v.state(), v.stateReason(),
                v.stateChangedAt(), v.moduleBlob(), v.moduleSize(), json.writeValueAsString(manifest.toJson()),
                v.signature() != null, v.shared(), ownerShown(v, caller) ? v.researcherId() : null, v.createdAt());
    }
}
