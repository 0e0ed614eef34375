package dev.starling.coordinator.host;

import dev.starling.coordinator.StarlingCoordinator;
import dev.starling.coordinator.StarlingProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which workers this coordinator takes, and which it tells to update. It speaks worker protocols {@value #OLDEST} to
 * {@value #NEWEST}; the operator may narrow that ({@code starling.workers.min-protocol} retires old workers). A worker
 * outside the range is refused with the release to install; one inside it but older than the coordinator's release,
 * or speaking less than the newest protocol, is told it should update, and the admin sees it marked.
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
    private final String downloadUrl;

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
        this.release = workers.release() != null && !workers.release().isBlank() ? workers.release().strip() : own;
        this.downloadUrl = workers.downloadUrl() == null ? "" : workers.downloadUrl().strip();
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
        return Optional.of("a newer Starling worker is available: this one is " + workerVersion + " (protocol "
                + protocol + "), the project's coordinator runs " + (release == null ? "a newer release" : release)
                + " and speaks protocol " + range(min, max) + "; install " + toInstall(true) + whereFrom()
                + (protocol < max ? " before the project stops taking protocol " + protocol : ""));
    }

    /** Whether a worker of this protocol (null: not known) and release runs an old version. */
    public boolean outdated(Integer protocol, String workerVersion) {
        return (protocol != null && protocol < max) || (release != null && compare(workerVersion, release) < 0);
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

    /**
     * Compares releases by their leading numbers ({@code 0.10.1-SNAPSHOT} is 0, 10, 1); 0 when either has none (a
     * development build, {@code dev}): such releases are never taken for old.
     */
    static int compare(String a, String b) {
        List<Integer> x = numbers(a);
        List<Integer> y = numbers(b);
        if (x.isEmpty() || y.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int c = Integer.compare(i < x.size() ? x.get(i) : 0, i < y.size() ? y.get(i) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

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
