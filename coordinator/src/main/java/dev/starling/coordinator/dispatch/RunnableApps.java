package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.AppVersionTable;
import dev.starling.coordinator.host.AuthenticatedHost;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * Which apps' tasks a host may be given: the built-in apps it registered with, and the deployed (WebAssembly)
 * versions with queued or running jobs whose {@code memoryMiB} fits what it gives WebAssembly tasks. A host that
 * gives less is skipped, never given a smaller cap, so {@code memory.grow} behaves the same everywhere. The claim
 * statement is unchanged: the host's apps are its {@code c.app = ANY(:apps)} as before.
 *
 * <p>A browser tab ({@link AuthenticatedHost#browser}) runs no built-in app, whatever it says, and only the deployed
 * versions that fit the operator's limits for browsers ({@code starling.browser}): memory, CPU seconds, module size.
 * (Whether one task's module and input files together fit is the claim's to decide, from its candidates' blobs:
 * {@code Dispatcher.shareOut}.)
 *
 * <p>The deployed versions with jobs are read at most every {@code starling.apps.refresh-interval} (and at the next
 * claim after a job of a deployed app is submitted here); when new ones appear, waiting long polls are woken to claim
 * their tasks. A job submitted to another coordinator is seen here within the interval. A version stays runnable for
 * {@code starling.apps.finished-grace} after its last job finished: a job's spot checks are sent after its work
 * units are validated, often after it succeeded, and a re-check may re-open work units of a job that stays SUCCEEDED
 * (one with a reduce step); without it their replicas would wait in the queue with no host able to take them.
 */
@Component
public class RunnableApps {
    private final AppVersionTable versions;
    private final WorkSignal signal;
    private final long refreshNanos;
    private final StarlingProperties.Browser browsers;
    private final Clock clock;
    private final Duration finishedGrace;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Map<String, AppVersionTable.Runnable> runnable = Map.of();
    /** deployed versions' modules (by {@code name@version}), as read: a version never changes */
    private final Map<String, String> modules = new ConcurrentHashMap<>();
    private volatile long loadedAt;
    private volatile boolean stale = true;

    RunnableApps(AppVersionTable versions, WorkSignal signal, Clock clock, StarlingProperties properties) {
        this.versions = versions;
        this.clock = clock;
        this.finishedGrace = properties.apps().finishedGrace();
        this.signal = signal;
        this.refreshNanos = properties.apps().refreshInterval().toNanos();
        this.browsers = properties.browser();
    }

    /** The apps whose tasks the host may be given now. */
    Set<String> of(AuthenticatedHost host) {
        Set<String> apps = new HashSet<>();
        for (String app : host.apps()) {
            // deployed versions come only through the WebAssembly capability; a browser runs no built-in app
            if (!AppCatalog.isDeployed(app) && !host.browser()) {
                apps.add(app);
            }
        }
        if (host.wasmMemoryMib() > 0) {
            current().forEach((app, version) -> {
                if (version.memoryMiB() <= host.wasmMemoryMib() && (!host.browser() || fitsBrowsers(version))) {
                    apps.add(app);
                }
            });
        }
        return apps;
    }

    /**
     * The blobs a task of {@code app} reads: {@code blobs} (its work unit's), led by the module when the app is a
     * deployed version. Work units do not store their version's module (700,000 copies of one id made a deployed app's
     * work units and the claim's reads of them larger); a version's module never changes, so it is remembered.
     */
    List<String> blobsOf(String app, List<String> blobs) {
        if (!AppCatalog.isDeployed(app)) {
            return blobs;
        }
        String module = modules.get(app);
        if (module == null) {
            module = versions.moduleBlob(app).orElse(null);
            if (module == null) {
                return blobs; // no such version (it never dispatches): nothing to add
            }
            modules.put(app, module);
        }
        if (blobs.isEmpty()) {
            return List.of(module);
        }
        if (blobs.contains(module)) {
            return blobs; // a work unit written before modules were left out of them
        }
        List<String> all = new ArrayList<>(blobs.size() + 1);
        all.add(module);
        all.addAll(blobs);
        return all;
    }

    /** The memory a deployed version with queued or running jobs asks for, in MiB; empty for any other app. */
    public Optional<Integer> memoryOf(String app) {
        return Optional.ofNullable(current().get(app)).map(AppVersionTable.Runnable::memoryMiB);
    }

    private boolean fitsBrowsers(AppVersionTable.Runnable version) {
        return version.memoryMiB() <= browsers.maxMemoryMib() && version.maxCpuSeconds() <= browsers.maxCpuSeconds()
                && version.moduleSize() <= browsers.maxInputBytes().toBytes();
    }

    /** A job of a deployed app was submitted here: the next claim reads which versions have jobs again. */
    public void jobSubmitted() {
        stale = true;
    }

    private Map<String, AppVersionTable.Runnable> current() {
        if ((stale || System.nanoTime() - loadedAt > refreshNanos) && reloading.tryLock()) {
            try {
                stale = false;
                Map<String, AppVersionTable.Runnable> fresh = new HashMap<>();
                versions.runnable(clock.instant().minus(finishedGrace)).forEach(r -> {
                    fresh.put(r.app(), r);
                    modules.put(r.app(), r.moduleBlob());
                });
                boolean more = !runnable.keySet().containsAll(fresh.keySet());
                runnable = Map.copyOf(fresh);
                loadedAt = System.nanoTime();
                if (more) {
                    signal.wakeAll(); // long polls waiting for work: some of it is theirs now
                }
            } finally {
                reloading.unlock();
            }
        }
        return runnable;
    }
}
