package dev.starling.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Coordinator settings, under {@code starling.*}.
 *
 * @param dataDir where the embedded PostgreSQL keeps its data (when no datasource is configured)
 * @param dispatch how work is handed to workers
 * @param split how jobs are split into work units
 * @param sweep how often background sweepers (leases, splitting, completion) look for work
 * @param limits what a single job or result may be
 * @param peers the peer tracker
 * @param blobs where uploaded blobs are kept and how large they may be
 * @param admin the admin account and its logins
 * @param volunteers volunteers' sign-up and hosts
 * @param reliability hosts' rolling counts and quarantine
 * @param admission how many calls of each kind are served at once, and what the rest are told
 * @param apps deployed (WebAssembly) apps: what their manifests may ask for
 * @param workers which worker protocols are taken, and what workers are told to install
 * @param reduce the shape of deployed apps' reduce steps
 * @param trust probation of new volunteers, and the limits on what one volunteer or host may take
 * @param adaptiveReplication long-trusted hosts' results accepted alone
 * @param spotChecks validated work units given out again to check hosts against a known answer
 * @param retention how long finished jobs' details and unreferenced blobs are kept
 * @param browser browser tabs as hosts (the {@code /volunteer} page): what their tasks may ask of them
 */
@ConfigurationProperties("starling")
public record StarlingProperties(
        @DefaultValue("./starling-data") Path dataDir,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Split split,
        @DefaultValue Sweep sweep,
        @DefaultValue Limits limits,
        @DefaultValue Peers peers,
        @DefaultValue Blobs blobs,
        @DefaultValue Admin admin,
        @DefaultValue Volunteers volunteers,
        @DefaultValue Reliability reliability,
        @DefaultValue Admission admission,
        @DefaultValue Apps apps,
        @DefaultValue Workers workers,
        @DefaultValue Reduce reduce,
        @DefaultValue Trust trust,
        @DefaultValue AdaptiveReplication adaptiveReplication,
        @DefaultValue SpotChecks spotChecks,

        @DefaultValue Retention retention,
        @DefaultValue Browser browser) {

    public StarlingProperties {
        if (blobs.dir() == null) {
            blobs = new Blobs(dataDir.resolve("blobs"), blobs.maxSize());
        }
    }

    /**
     * Deployed (WebAssembly) apps: the operator's maxima for what a manifest asks of volunteers' machines.
     *
     * @param maxModuleSize the largest module {@code POST /api/v1/apps} accepts
     * @param maxMemoryMib the most linear memory a task may ask for ({@code limits.memoryMiB}); 4096 is all a 32-bit
     *     module can address
     * @param maxCpuSeconds the most CPU time a task may be allowed ({@code limits.maxCpuSeconds})
     * @param maxScratch the largest scratch folder a task may be given ({@code limits.maxScratchBytes}); a manifest
     *     that does not say gets 64 MiB, or this when it is less
     * @param maxCreditPerWorkUnit the most credit one work unit may earn ({@code credit.perWorkUnit} times the work
     *     unit's {@code cost})
     * @param refreshInterval how often the dispatcher reads again which deployed versions have jobs (at once when a
     *     job is submitted to this coordinator; a job submitted to another is seen within this)     * @param signing the project's keys that must sign every deployed version
     */
    public record Apps(
            @DefaultValue("64MB") DataSize maxModuleSize,
            @DefaultValue("4096") int maxMemoryMib,
            @DefaultValue("86400") int maxCpuSeconds,
            @DefaultValue("1GB") DataSize maxScratch,
            @DefaultValue("1000") double maxCreditPerWorkUnit,
            @DefaultValue("2s") Duration refreshInterval,
            @DefaultValue("1h") Duration finishedGrace,
            @DefaultValue Signing signing) {

        public Apps {
            if (maxModuleSize.toBytes() < 1 || maxMemoryMib < 1 || maxMemoryMib > 4096 || maxCpuSeconds < 1
                    || maxScratch.toBytes() < 0 || !(maxCreditPerWorkUnit >= 0)
                    || Double.isInfinite(maxCreditPerWorkUnit)) {
                throw new IllegalArgumentException("starling.apps: max-module-size, max-memory-mib (at most 4096) and"
                        + " max-cpu-seconds must be at least 1, max-scratch and max-credit-per-work-unit not negative");
            }
        }
    }

    /**
     * @param username the admin's user name
     * @param password the admin's password when the account is created (first start) or reset; from the
     *     environment variable {@code STARLING_ADMIN_PASSWORD}. Without one, a password is generated and logged once
     * @param resetPassword set the admin's password again at this start (to {@code password}, or a generated one)
     * @param loginAttempts failed logins (form or HTTP Basic) one client address may make within {@code loginWindow}
     *     before its logins are refused until the window ends
     * @param loginWindow see {@code loginAttempts}
     */
    public record Admin(
            @DefaultValue("admin") String username,
            String password,
            @DefaultValue("false") boolean resetPassword,
            @DefaultValue("5") int loginAttempts,
            @DefaultValue("15m") Duration loginWindow) {

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Admin[username=" + username + ", password=" + (password == null ? "none" : "***")
                    + ", resetPassword=" + resetPassword + ", loginAttempts=" + loginAttempts + ", loginWindow="
                    + loginWindow + "]";
        }
    }

    /**
     * Signed apps (docs/architecture.md, "Signed apps").
     *
     * @param publicKeys the project's Ed25519 public keys (one line of Base64 each, as {@code starling app keygen}
     *     prints it): when any is set, every deploy must carry a signature by one of them, or by a key announced by
     *     one of them ({@code starling app sign-key}), and unsigned versions deployed before take no new jobs. Empty
     *     (the default): deploys are not signed
     */
    public record Signing(@DefaultValue List<String> publicKeys) {
        public Signing {
            publicKeys = List.copyOf(publicKeys);
        }
    }

    /**
     * Adaptive replication (BOINC's): a host whose last {@code trustAfter} or more results for an app were all valid
     * (n in a row) gets a fresh work unit of that app alone with probability {@code 1 - 1/n}: its result is accepted
     * without a second one. Any invalid, error or timed-out result, or a failed spot check, ends the run.
     *
     * @param enabled the project's default for jobs that do not say ({@code redundancy.adaptive}); false turns it off
     *     for every job
     * @param trustAfter consecutive valid results after which a host is trusted for an app
     * @param recheckUnvouched a job moves past a stage (its next stage, reduce level, or its result) only once the
     *     stage's work units whose result stood alone and no spot check vouched for (or won by hosts all quarantined
     *     by then) are computed again by a full quorum of other hosts: a turncoat's last forged results are otherwise
     *     checked by nobody. Costly on short jobs (each host's alone results since its last passed spot check). Needs
     *     quorum + 1 volunteers able to compute the app, or the stage waits for them. Off by default until the end of a
     *     stage costs less: on a job of 100 to 200 tasks per host it doubled the results per validated work unit
     */
    public record AdaptiveReplication(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10") int trustAfter,
            @DefaultValue("false") boolean recheckUnvouched) {

        public AdaptiveReplication {
            if (trustAfter < 2) {
                throw new IllegalArgumentException("starling.adaptive-replication.trust-after must be at least 2");
            }
        }
    }

    /**
     * Spot checks (Sarmenta): work units validated by a quorum of agreeing results are given out once more, to hosts
     * that did not compute them, indistinguishable from any other task. A result that disagrees with the known answer
     * convicts its host: quarantined until the admin releases it, its trust ended, and every result it helped validate
     * re-checked.
     *
     * @param rate spot checks per validated work unit (of all, alone or not), 0 (never) to 1; only work units
     *     validated by a quorum are given out as spot checks, so with adaptive replication each of those is checked
     *     more often
     */
    public record SpotChecks(@DefaultValue("0.05") double rate) {

        public SpotChecks {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("starling.spot-checks.rate must be from 0 to 1");
            }
        }
    }

    /**
     * How hosts are judged (BOINC's host punishment). Only judged results count: valid, invalid, error, timed out;
     * tasks given back (shutdown, inputs unavailable) never do.
     *
     * @param window the rolling counts weigh about this many of a host's latest results (each new result
     *     multiplies the old counts by {@code 1 - 1/window})
     * @param minResults a host is judged once its rolling counts hold at least this many results
     * @param quarantineInvalidRate quarantine when invalid / (valid + invalid) reaches this
     * @param quarantineErrorRate quarantine when (errors + timed out) / all results reaches this
     * @param quarantineTasksPerDay the most tasks a quarantined host gets per (UTC) day
     */
    public record Reliability(
            @DefaultValue("50") int window,
            @DefaultValue("5") int minResults,
            @DefaultValue("0.2") double quarantineInvalidRate,
            @DefaultValue("0.5") double quarantineErrorRate,
            @DefaultValue("20") int quarantineTasksPerDay) {

        public Reliability {
            if (window < 1 || minResults < 1 || quarantineTasksPerDay < 0 || !(quarantineInvalidRate > 0)
                    || !(quarantineErrorRate > 0)) {
                throw new IllegalArgumentException("starling.reliability: window and min-results must be at least 1, "
                        + "the rates above 0, quarantine-tasks-per-day not negative");
            }
        }

        /** What the rolling counts are multiplied by for each new result. */
        public double decay() {
            return 1.0 - 1.0 / window;
        }

        /**
         * The rolling total that {@code minResults} results arriving one after another add up to (each decays the
         * ones before), less a rounding margin: a host is judged from this much evidence on.
         */
        public double minEvidence() {
            double d = decay();
            double sum = d == 0 ? 1 : (1 - Math.pow(d, minResults)) / (1 - d);
            return sum - 1e-9;
        }
    }

    /**
     * How many calls of each kind the coordinator serves at once. A herd of one kind (5,000 workers registering after
     * a restart, a sign-up campaign) then neither exhausts the database's connection pool nor starves the other kinds:
     * every kind but RequestWork and ReportResults (served in batches, see {@code batchQueue}) takes one of its
     * permits, and so one pool connection at most, while it is served. A call finding none free waits up to
     * {@code maxWait}, behind at most {@code queue} others of its kind; past that it is answered at once, busy:
     * {@code 503} with {@code Retry-After} (REST), {@code UNAVAILABLE} with the trailer {@code grpc-retry-pushback-ms}
     * (gRPC), both saying {@code retryAfter}, or longer while more calls of the kind are turned away a second than it
     * serves (so many seconds as serving them takes, at most a minute). The permits of all kinds plus about 10
     * connections of the background work must fit in the pool ({@code spring.datasource.hikari.maximum-pool-size});
     * the coordinator warns at start when they do not.
     *
     * @param signUp {@code POST /api/v1/volunteers}
     * @param register worker {@code Register} (and {@code RotateToken}) calls
     * @param authenticate checks of a worker's token the coordinator has not seen within the last minute (after a
     *     restart, every worker's first call)
     * @param heartbeat worker {@code Heartbeat} calls
     * @param announce worker {@code AnnounceBlobs} calls
     * @param api the rest of the REST API ({@code /api/**} but blob bytes) and the dashboard
     * @param queue calls of one kind that may wait for a permit
     * @param maxWait how long a call waits for a permit at most
     * @param retryAfter how long a busy answer asks the caller to wait at least
     * @param batchQueue RequestWork and ReportResults calls that may wait for their group commit, each
     */
    public record Admission(
            @DefaultValue("4") int signUp,
            @DefaultValue("4") int register,
            @DefaultValue("2") int authenticate,
            @DefaultValue("4") int heartbeat,
            @DefaultValue("2") int announce,
            @DefaultValue("4") int api,
            @DefaultValue("200") int queue,
            @DefaultValue("1s") Duration maxWait,
            @DefaultValue("2s") Duration retryAfter,
            @DefaultValue("4096") int batchQueue) {

        public Admission {
            if (Math.min(Math.min(signUp, register), Math.min(Math.min(authenticate, heartbeat), Math.min(announce, api))) < 1
                    || queue < 0 || batchQueue < 1 || maxWait.isNegative() || retryAfter.isNegative()) {
                throw new IllegalArgumentException("starling.admission: every kind needs at least 1 permit, batch-queue"
                        + " at least 1, queue, max-wait and retry-after must not be negative");
            }
        }

        /** The permits of all kinds together: connections the request paths may hold at once. */
        public int permits() {
            return signUp + register + authenticate + heartbeat + announce + api;
        }
    }

    /**
     * Which workers this coordinator takes (it speaks worker protocols 1 to 1; the range may only be narrowed) and what
     * it tells the others to install.
     *
     * @param minProtocol the oldest worker protocol taken: raise it to retire old workers (they are refused with what
     *     to install, and stop)
     * @param maxProtocol the newest worker protocol taken
     * @param release the worker release workers are told to install, and older than which a worker is told to update;
     *     must begin with its number ({@code 0.6.0}); default: this coordinator's own release
     * @param downloadUrl where that release is downloaded, said with it (none by default)
     * @param devBuildsCurrent whether a worker whose version begins with no number (a development build, {@code dev})
     *     counts as current; by default it counts as older than every release, so that a version that names no release
     *     never passes for the one the operator asks for
     */
    public record Workers(
            @DefaultValue("1") int minProtocol,
            @DefaultValue("1") int maxProtocol,
            String release,
            String downloadUrl,
            @DefaultValue("false") boolean devBuildsCurrent) {}

    /** Who may sign up as a volunteer with {@code POST /api/v1/volunteers}. */
    public enum SignUp {
        /** anyone */
        OPEN,
        /** only the admin, who hands the account key to the volunteer */
        INVITE
    }

    /**
     * @param signUp who may create volunteer accounts
     * @param anonymousHosts whether a worker may register without an account key (its host belongs to no
     *     volunteer, earns no place on the leaderboard, and counts as a volunteer of its own for quorums)
     * @param signUpsPerAddress the most accounts one source address may sign up within {@code signUpWindow} (the
     *     address through a trusted proxy: {@code starling.peers.trusted-proxies}); more are answered 429. 0: no
     *     limit (the benchmarks' swarms sign up thousands of accounts from one machine). The admin is not limited
     * @param signUpWindow see {@code signUpsPerAddress}
     */
    public record Volunteers(
            @DefaultValue("OPEN") SignUp signUp,
            @DefaultValue("false") boolean anonymousHosts,
            @DefaultValue("5") int signUpsPerAddress,
            @DefaultValue("1h") Duration signUpWindow) {

        public Volunteers {
            if (signUpsPerAddress < 0 || !signUpWindow.isPositive()) {
                throw new IllegalArgumentException("starling.volunteers: sign-ups-per-address must not be negative and"
                        + " sign-up-window must be longer than 0");
            }
        }
    }

    /**
     * @param lease how long a task is held without a heartbeat before it is timed out and reissued
     * @param heartbeatInterval how often workers heartbeat running tasks (well below the lease)
     * @param maxWait the longest a RequestWork call waits for work (long poll)
     * @param maxTasksPerRequest the most tasks one RequestWork call gets
     * @param recheckInterval how often a waiting RequestWork looks for work by itself; it is woken by
     *     PostgreSQL notifications when work appears, so this only matters when notifications were lost
     * @param distinct what the replicas of one work unit must not share: a volunteer (two hosts of one person
     *     cannot outvote others), or only a host
     * @param maxPark how long a task a stopping worker parks (keeps, with a checkpoint, to resume at its next
     *     start) is held for it at most, never past the task's deadline; 0: parking is refused, such a task is
     *     leased like any other
     * @param replicaGap a replica of a work unit is not sent within this time of another of its replicas, so requests
     *     made back to back (two colluders in tandem) never get two replicas of one work unit; 0 turns the rule off
     * @param networkBits hosts whose addresses (where they registered from; through a trusted proxy, the address it
     *     forwards: {@code starling.peers.trusted-proxies}) share this many leading bits of IPv4 are one network, and
     *     never get two replicas of one work unit; 0 turns the rule off
     * @param networkBitsV6 the same for IPv6 addresses
     * @param sharedNetworks networks (CIDR) whose hosts are not told apart by address: by default this machine's
     *     loopback, where tests and benchmarks run every host
     * @param fairShareRefresh how often a coordinator reads which researchers have work waiting, and their shares (a
     *     claim that finds nothing reads them at once)
     * @param fairShareTries the most researchers one claim batch asks for work, least served first, when the first
     *     has too little its hosts may take
     */
    public record Dispatch(
            @DefaultValue("2m") Duration lease,
            @DefaultValue("20s") Duration heartbeatInterval,
            @DefaultValue("20s") Duration maxWait,
            @DefaultValue("64") int maxTasksPerRequest,
            @DefaultValue("5s") Duration recheckInterval,
            @DefaultValue("VOLUNTEERS") Distinct distinct,
            @DefaultValue("24h") Duration maxPark,
            @DefaultValue("500ms") Duration replicaGap,
            @DefaultValue("24") int networkBits,
            @DefaultValue("48") int networkBitsV6,
            @DefaultValue({"127.0.0.0/8", "::1"}) List<String> sharedNetworks,
            @DefaultValue("1s") Duration fairShareRefresh,
            @DefaultValue("4") int fairShareTries) {

        public Dispatch {
            if (replicaGap.isNegative() || networkBits < 0 || networkBits > 32 || networkBitsV6 < 0
                    || networkBitsV6 > 128) {
                throw new IllegalArgumentException("starling.dispatch: replica-gap must not be negative, network-bits"
                        + " be from 0 to 32 and network-bits-v6 from 0 to 128");
            }
            if (fairShareRefresh.isNegative() || fairShareTries < 1) {
                throw new IllegalArgumentException("starling.dispatch: fair-share-refresh must not be negative and"
                        + " fair-share-tries be at least 1");
            }
            sharedNetworks = List.copyOf(sharedNetworks);
        }
    }

    /** What the replicas of one work unit must not share. */
    public enum Distinct {
        /** a volunteer: no two replicas to hosts of one volunteer (an anonymous host counts as a volunteer of its own) */
        VOLUNTEERS,
        /** a host only: a volunteer's hosts may compute the same work unit */
        HOSTS
    }

    /**
     * A deployed app's job's reduce step: one reduce work unit over all the canonical outputs when they are few and
     * small enough, else a tree. Fixed for each job when it is submitted.
     *
     * @param fanIn how many outputs of the level below one reduce work unit of a tree takes (at least 2)
     * @param maxInputs the most outputs one reduce work unit takes alone; more make a tree
     * @param maxInputBytes the most bytes of outputs one reduce work unit takes alone; more make a tree (at most
     *     64 MiB, what a worker reads as a task's standard input)
     */
    public record Reduce(
            @DefaultValue("16") int fanIn,
            @DefaultValue("1000") long maxInputs,
            @DefaultValue("4MB") DataSize maxInputBytes) {

        public Reduce {
            if (fanIn < 2 || fanIn > 10_000 || maxInputs < 1 || maxInputBytes.toBytes() < 1
                    || maxInputBytes.toBytes() > 64L << 20) {
                throw new IllegalArgumentException("starling.reduce: fan-in must be from 2 to 10000, max-inputs at"
                        + " least 1, max-input-bytes from 1 to 64MB");
            }
        }
    }

    /**
     * Probation (docs/architecture.md, "Colluders"): a new volunteer's results count toward a quorum only beside a
     * result of an established host, as a quarantined host's do.
     *
     * @param probationResults a volunteer is on probation (all their hosts; an anonymous host alone) until their hosts
     *     together have this many valid results; 0: no probation
     * @param enforceAfter probation is enforced once this many volunteers are established: before, in a fresh project
     *     where everyone is new, results count as they did without probation (distinct volunteers, spread replicas)
     *     and the first volunteers to reach {@code probationResults} become the established ones. 0 enforces it from
     *     the start, for a project whose established volunteers exist already
     * @param recheck how often a coordinator counts the established volunteers until there are enough (once
     *     enforced, probation stays enforced until the coordinator restarts), and a new volunteer's valid results
     * @param dailyTasks the tasks a new host may take a day (UTC; BOINC's {@code max_jobs_per_day}); 0: no daily
     *     limits at all (nor give-back cap)
     * @param dailyTasksPerValid what each valid result adds to its host's daily limit (an invalid, error or timed-out
     *     result halves it, down to {@code dailyTasksLeast})
     * @param dailyTasksLeast the least a host's daily limit is cut to
     * @param volunteerDailyTasks the tasks all of a volunteer's hosts together may take a day, plus what their hosts
     *     earned above {@code dailyTasks}: a volunteer's many new hosts share this
     * @param giveBacksPerDay a host that gave back this many tasks in a day gets no more that day (given-back tasks
     *     count against its daily limit too); 0: no cap
     * @param maxParked the most tasks a host may hold parked (kept for it until their deadlines by a stopping worker):
     *     beyond them, a task it parks is leased like any other
     */
    public record Trust(
            @DefaultValue("50") long probationResults,
            @DefaultValue("10") long enforceAfter,
            @DefaultValue("30s") Duration recheck,
            @DefaultValue("500") int dailyTasks,
            @DefaultValue("2") int dailyTasksPerValid,
            @DefaultValue("50") int dailyTasksLeast,
            @DefaultValue("2000") int volunteerDailyTasks,
            @DefaultValue("100") int giveBacksPerDay,
            @DefaultValue("64") int maxParked) {

        public Trust {
            if (probationResults < 0 || enforceAfter < 0 || recheck.isNegative() || dailyTasks < 0
                    || dailyTasksPerValid < 0 || dailyTasksLeast < 1 || volunteerDailyTasks < 0 || giveBacksPerDay < 0
                    || maxParked < 0) {
                throw new IllegalArgumentException("starling.trust: probation-results, enforce-after, recheck, the"
                        + " daily limits, give-backs-per-day and max-parked must not be negative, daily-tasks-least"
                        + " at least 1");
            }
        }

        /** Whether hosts and volunteers have daily task limits. */
        public boolean dailyLimits() {
            return dailyTasks > 0;
        }
    }

    /** @param batchSize work units written per splitting transaction */
    public record Split(@DefaultValue("1000") int batchSize) {}

    /** @param interval pause between sweeps when a sweeper found nothing to do */
    public record Sweep(@DefaultValue("1s") Duration interval) {}

    /**
     * @param maxWorkUnitsPerStage the most work units one stage of a job may have
     * @param maxInlineOutputBytes the largest output a worker may report inline
     * @param maxParamsBytes the largest params document a job may have
     */
    public record Limits(
            @DefaultValue("10000000") long maxWorkUnitsPerStage,
            @DefaultValue("8388608") int maxInlineOutputBytes,
            @DefaultValue("65536") int maxParamsBytes) {}

    /**
     * @param grantTtl how long a fetch token is valid at most (never past its task's report deadline)
     * @param holderTimeout a holder not heard from for this long is not offered as a peer
     * @param peersPerTask the most peers offered for one input of one task
     * @param complaintQuorum how many distinct volunteers' hosts (other than the accused's volunteer) must report bad
     *     data from a host they were offered as a peer before it is banned from serving
     * @param complaintWindow a complaint counts only when its reporter was offered the accused within this time
     * @param seedWindow how long the coordinator remembers which hosts it served a chunk to, and points later
     *     requesters of that chunk at them instead of serving it again (super-seeding)
     * @param uploadRate the most bytes per second the coordinator serves to workers, all of them together
     *     (0: no cap)
     * @param privateNetworks private or loopback networks (CIDR) whose addresses are offered as peers all the same:
     *     workers and coordinator on one LAN ({@code 10.0.0.0/8}) or one machine ({@code 127.0.0.0/8, ::1}); by
     *     default a worker connecting from such an address serves no peers
     * @param trustedProxies proxies (CIDR) in front of the gRPC port: for a call through one of them, the worker's
     *     address is read from {@code x-forwarded-for}
     */
    public record Peers(
            @DefaultValue("30m") Duration grantTtl,
            @DefaultValue("1m") Duration holderTimeout,
            @DefaultValue("30") int peersPerTask,
            @DefaultValue("2") int complaintQuorum,
            @DefaultValue("24h") Duration complaintWindow,
            @DefaultValue("60s") Duration seedWindow,
            @DefaultValue("0") DataSize uploadRate,
            @DefaultValue List<String> privateNetworks,
            @DefaultValue List<String> trustedProxies) {}

    /**
     * Browser tabs volunteering from the {@code /volunteer} page (the {@code /api/v1/browser} facade). A browser host
     * is given only deployed (WebAssembly) apps' tasks, and only of versions that fit all of these.
     *
     * @param maxMemoryMib the most linear memory a browser host may give WebAssembly tasks (what a page says it gives
     *     is cut to this); a version whose {@code limits.memoryMiB} is above it is never sent to browsers
     * @param maxCpuSeconds a version whose {@code limits.maxCpuSeconds} is above this is never sent to browsers
     * @param maxInputBytes the most a browser host downloads for one task: a task whose module and input files together
     *     are larger (or that reads a blob the coordinator does not store) is left for workers at claim time, and a
     *     version whose module alone is larger is never sent to browsers
     * @param maxCores the most cores a browser host may say it gives (what a page says is cut to this)
     * @param giveBackTokenTtl how long a give-back token works (the page renews it well before)
     * @param maxBody the largest request body the facade reads (a report with its outputs in base64)
     */
    public record Browser(
            @DefaultValue("1024") int maxMemoryMib,
            @DefaultValue("600") int maxCpuSeconds,
            @DefaultValue("64MB") DataSize maxInputBytes,
            @DefaultValue("16") int maxCores,
            @DefaultValue("15m") Duration giveBackTokenTtl,
            @DefaultValue("32MB") DataSize maxBody) {

        public Browser {
            if (maxMemoryMib < 1 || maxMemoryMib > 4096 || maxCpuSeconds < 1 || maxInputBytes.toBytes() < 1
                    || maxCores < 1 || !giveBackTokenTtl.isPositive() || maxBody.toBytes() < 1024
                    || maxBody.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("starling.browser: max-memory-mib must be 1 to 4096, max-cpu-seconds,"
                        + " max-input-bytes and max-cores at least 1, give-back-token-ttl longer than 0, max-body 1KB"
                        + " to 2GB");
            }
        }
    }

    /**
     * @param dir the content-addressed directory holding uploaded blobs' bytes; default {@code <data-dir>/blobs}
     * @param maxSize the largest blob {@code POST /api/v1/blobs} accepts
     */
    public record Blobs(Path dir, @DefaultValue("4GB") DataSize maxSize) {}

    /**
     * Retention (BOINC's db_purge and file_deleter).
     *
     * @param finishedJobs how long a finished job keeps its work units and replicas; then they are archived (a gzip
     *     JSON-lines blob its researcher downloads) and deleted, and the job row keeps its counts and result
     * @param batchSize how many work units (with their replicas) one purge transaction deletes
     * @param interval how often the purger and the blob collector look for work when they found none
     * @param blobGrace how long a blob nothing references is kept before it is deleted (an upload for a job not yet
     *     submitted, an archive of a deleted job)
     */
    public record Retention(
            @DefaultValue("7d") Duration finishedJobs,
            @DefaultValue("500") int batchSize,
            @DefaultValue("1m") Duration interval,
            @DefaultValue("1d") Duration blobGrace) {

        public Retention {
            if (finishedJobs.isNegative() || blobGrace.isNegative() || batchSize < 1 || batchSize > 100_000
                    || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("starling.retention: finished-jobs and blob-grace must not be"
                        + " negative, interval must be positive, batch-size between 1 and 100000");
            }
        }
    }
}
