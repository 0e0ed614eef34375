package dev.starling.coordinator.job;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.dispatch.RunnableApps;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Whether a running job's work units wait because too few volunteers (or hosts, with
 * {@code starling.dispatch.distinct=hosts}) can be sent them: every one that could, having asked for work lately, has
 * a replica of them already, or none can run the job's app at all. Its view says so ({@link JobView.Waiting}), and the
 * dashboard's job page. Only a single job's view asks, and it reads the hosts once and at most {@link #SCAN} of the
 * job's open work units.
 */
@Component
class WaitingWorkUnits {
    /** open work units looked at, at most */
    static final int SCAN = 1_000;
    /** hosts heard from within this long count as able to take work (an idle worker asks every few seconds) */
    static final Duration LATELY = Duration.ofMinutes(10);

    private final WaitingQueries queries;
    private final RunnableApps runnable;
    private final Clock clock;
    private final boolean byVolunteer;

    WaitingWorkUnits(WaitingQueries queries, RunnableApps runnable, Clock clock, StarlingProperties properties) {
        this.queries = queries;
        this.runnable = runnable;
        this.clock = clock;
        this.byVolunteer = properties.dispatch().distinct() == StarlingProperties.Distinct.VOLUNTEERS;
    }

    /** Why some of the job's open work units wait, when some do; empty for a job that is not running. */
    Optional<JobView.Waiting> of(Job job) {
        if (job.state().isFinal() || job.retention() != null) {
            return Optional.empty();
        }
        String app = job.appOf(job.stage());
        Integer memory = null;
        if (AppCatalog.isDeployed(app)) {
            Optional<Integer> mib = runnable.memoryOf(app);
            if (mib.isEmpty()) {
                return Optional.empty(); // not known here yet (a job just submitted elsewhere): nothing to say
            }
            memory = mib.get();
        }
        Set<Long> able = queries.able(app, memory, byVolunteer, clock.instant().minus(LATELY));
        List<Set<Long>> owners = queries.owners(job.id(), job.stage(), byVolunteer, SCAN);
        long waiting = owners.stream().filter(o -> o.containsAll(able)).count();
        if (waiting == 0) {
            return Optional.empty();
        }
        String who = byVolunteer ? "volunteers" : "hosts";
        String runs = memory == null ? "run " + app : "give WebAssembly the " + memory + " MiB " + app + " needs";
        if (able.isEmpty()) {
            return Optional.of(new JobView.Waiting("NO_HOSTS", waiting, 0,
                    "its work units wait: no host that can " + runs + " has asked for work in the last "
                            + LATELY.toMinutes() + " minutes"));
        }
        return Optional.of(new JobView.Waiting(byVolunteer ? "TOO_FEW_VOLUNTEERS" : "TOO_FEW_HOSTS", waiting, able.size(),
                waiting + (waiting == 1 ? " work unit waits" : " work units wait") + " for " + who + " that have no"
                        + " replica of " + (waiting == 1 ? "it" : "them") + " yet: the replicas of a work unit go to"
                        + " distinct " + who + ", and only " + able.size() + " " + (able.size() == 1 ? who.substring(0,
                                who.length() - 1) : who) + " that can " + runs + " asked for work in the last "
                        + LATELY.toMinutes() + " minutes, each with a replica already; more " + who
                        + " (or fewer replicas per work unit) let them go on"));
    }
}
