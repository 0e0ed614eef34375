package dev.starling.coordinator.host;

import dev.starling.coordinator.StarlingCoordinator;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.StartupProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which workers this coordinator takes, and which it tells to update. It speaks worker protocols {@value #OLDEST} to
 * {@value #NEWEST}; the operator may narrow that ({@code starling.workers.min-protocol} retires old workers). A worker
 * outside the range is refused with the release to install; one inside it but older than the coordinator's release,
 * or speaking less than the newest protocol, is told it should update, and the admin sees it marked.
 *
 * <p>Releases are compared by their leading numbers. A worker whose version begins with no number ({@code dev}, a
 * development build, or whatever a stranger's program sends) names no release, so it counts as older than every
 * release: a minimum the operator sets is never passed by a version that cannot be compared with it. The operator may
 * take such builds as current ({@code starling.workers.dev-builds-current}). Browser tabs ({@code browser ...}) run the
 * page this coordinator serves, so they are always current.
 */
@Component
public class WorkerVersions {
    /** the oldest worker protocol this coordinator's code speaks */
    public static final int OLDEST = 1;
    /** the newest worker protocol this coordinator's code speaks */
    public static final int NEWEST = 1;

    private final int min;
    private final int max;
    private final String release;
    /** the release's leading numbers: empty when there is none to compare with (this coordinator runs from classes) */
    private final List<Integer> releaseNumbers;
    private final String downloadUrl;
    private final boolean devBuildsCurrent;

    WorkerVersions(StarlingProperties properties) {
        StarlingProperties.Workers workers = properties.workers();
        if (workers.minProtocol() < OLDEST || workers.maxProtocol() > NEWEST || workers.minProtocol() > workers.maxProtocol()) {
            throw new IllegalArgumentException("starling.workers.min-protocol and max-protocol must be a range within "
                    + "the worker protocols this coordinator speaks, " + range(OLDEST, NEWEST) + "; got "
                    + workers.minProtocol() + " to " + workers.maxProtocol());
        }
        this.min = workers.minProtocol();
        this.max = workers.maxProtocol();
        String own = StarlingCoordinator.class.getPackage().getImplementationVersion();
        boolean set = workers.release() != null && !workers.release().isBlank();
        if (set && numbers(workers.release()).isEmpty()) {
            throw new StartupProblem("starling.workers.release is " + workers.release().strip() + ", which begins"
                    + " with no release number: workers could not be compared with it",
                    "Set the worker release to install, beginning with its number (0.6.0), or leave it out.");
        }
        this.release = set ? workers.release().strip() : own;
        this.releaseNumbers = numbers(release);
        this.downloadUrl = workers.downloadUrl() == null ? "" : workers.downloadUrl().strip();
        this.devBuildsCurrent = workers.devBuildsCurrent();
    }

    /** The lowest protocol taken. */
    public int min() {
        return min;
    }

    /** The highest protocol taken. */
    public int max() {
        return max;
    }

    /**
     * Why a worker that says it speaks {@code sent} (the {@code starling-protocol} header; null when it sent none) is
     * refused: what it speaks, what this coordinator speaks, and what to install. Empty when it is taken.
     */
    public Optional<String> refusal(String sent) {
        int version;
        try {
            version = sent == null ? 0 : Integer.parseInt(sent.strip());
        } catch (NumberFormatException e) {
            version = 0;
        }
        if (version >= min && version <= max) {
            return Optional.empty();
        }
        if (version > max) {
            return Optional.of("this worker speaks Starling worker protocol " + version + ", newer than this "
                    + "coordinator's " + range(min, max) + ": install " + toInstall(false) + whereFrom()
                    + ", or ask the project to update its coordinator");
        }
        return Optional.of("this coordinator speaks Starling worker protocol " + range(min, max) + " and this worker "
                + (sent == null ? "sent none" : "speaks " + sent.strip()) + ": please update the worker: install "
                + toInstall(true) + whereFrom());
    }

    /**
     * What a worker taken now should hear at registration: that it should update (it speaks less than the newest
     * protocol taken, or is older than this coordinator's release), and to what; empty when it is current.
     */
    public Optional<String> notice(int protocol, String workerVersion) {
        if (!outdated(protocol, workerVersion)) {
            return Optional.empty();
        }
        String which = numbers(workerVersion).isEmpty() && olderThanRelease(workerVersion)
                ? "this worker's version names no release, so it counts as older than the project's: it is "
                : "a newer Starling worker is available: this one is ";
        return Optional.of(which + workerVersion + " (protocol " + protocol + "), the project's coordinator runs "
                + (release == null ? "a newer release" : release) + " and speaks protocol " + range(min, max)
                + "; install " + toInstall(true) + whereFrom()
                + (protocol < max ? " before the project stops taking protocol " + protocol : ""));
    }

    /** Whether a worker of this protocol (null: not known) and release runs an old version. */
    public boolean outdated(Integer protocol, String workerVersion) {
        return (protocol != null && protocol < max) || olderThanRelease(workerVersion);
    }

    private boolean olderThanRelease(String workerVersion) {
        if (releaseNumbers.isEmpty() || isBrowser(workerVersion)) {
            return false;
        }
        List<Integer> numbers = numbers(workerVersion);
        return numbers.isEmpty() ? !devBuildsCurrent : compare(numbers, releaseNumbers) < 0;
    }

    /** A browser tab's version, as the browser facade writes it: the page this coordinator serves. */
    private static boolean isBrowser(String workerVersion) {
        return workerVersion != null && (workerVersion.equals(AuthenticatedHost.BROWSER)
                || workerVersion.startsWith(AuthenticatedHost.BROWSER + " "));
    }

    private String toInstall(boolean orLater) {
        return release == null ? "a Starling worker release that speaks protocol " + range(min, max)
                : "Starling worker " + release + " (this coordinator's release)" + (orLater ? " or later" : "");
    }

    private String whereFrom() {
        return downloadUrl.isEmpty() ? "" : " from " + downloadUrl;
    }

    private static String range(int from, int to) {
        return from == to ? Integer.toString(from) : from + " to " + to;
    }

    /** Compares releases by their leading numbers ({@code 0.10.1-SNAPSHOT} is 0, 10, 1; missing ones are 0). */
    private static int compare(List<Integer> x, List<Integer> y) {
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int c = Integer.compare(i < x.size() ? x.get(i) : 0, i < y.size() ? y.get(i) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** A version's leading numbers; empty when it begins with none. */
    private static List<Integer> numbers(String version) {
        List<Integer> numbers = new ArrayList<>();
        if (version == null) {
            return numbers;
        }
        for (String part : version.strip().split("[.-]", -1)) {
            if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
                break;
            }
            numbers.add(Integer.parseInt(part));
        }
        return numbers;
    }
}
