package dev.starling.swarm;

import dev.starling.swarm.internal.Durations;
import dev.starling.swarm.internal.SwarmRun;
import dev.starling.swarm.internal.WrongHosts;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A swarm of simulated hosts that speak the real worker protocol (gRPC) to one or more coordinators, compute
 * the {@code checksum} app, and measure the coordinator: validated work units per second, accepted results per
 * second, RequestWork and ReportResults latencies, errors.
 *
 * <p>Each simulated host is one virtual thread: it signs up as a volunteer of its own (with {@code api}; quorums
 * are of distinct volunteers by default), registers with the account key, then loops RequestWork (long poll, up to
 * {@code cores} tasks) / compute / ReportResults (the whole batch in one call) until the swarm stops. Host
 * {@code i} talks to coordinator {@code i % n}. A deterministic subset of the hosts (chosen by the seed) is
 * "wrong": each reports an output that differs from the honest one and from every other wrong host's, so
 * wrong hosts never form a quorum.
 *
 * <p>A run: optionally submit a checksum job and wait until it is split; start the hosts; let them warm up;
 * measure a window; then, when the swarm submitted its job, keep the hosts working until the job finishes
 * (or the drain timeout passes), stop them, and check the outcome (job succeeded, result digest is the
 * honest one, no work unit twice to one host, each result judged once and credited exactly, no rejected acks
 * and no errors). Used in-JVM by the coordinator's tests:
 *
 * <pre>{@code
 * SwarmReport report = Swarm.run(Swarm.Options.builder()
 *         .coordinators("localhost:" + grpcPort)
 *         .api("http://localhost:" + httpPort).apiKey(researcherKey)
 *         .hosts(50).warmup(Duration.ZERO).duration(Duration.ofSeconds(5))
 *         .submit(2_000).wrongFraction(0.2)
 *         .progress(line -> {})
 *         .build());
 * assertThat(report.failures()).isEmpty();
 * }</pre>
 */
public final class Swarm {
    private Swarm() {}

    /**
     * Runs a swarm as {@code options} say and returns what it measured and checked. Blocks for the warmup,
     * the window and (with {@link Options#submit()}) the drain. The calling thread's interrupt stops the run
     * early with an {@link IllegalStateException}.
     *
     * @throws SwarmException when the run cannot go on: the REST API refused the job or is unreachable, the job
     *     failed to split
     */
    public static SwarmReport run(Options options) {
        return new SwarmRun(options).run();
    }

    /** Called by the swarm at points of a run, from the thread that called {@link Swarm#run}. */
    public interface Listener {
        /** The swarm's job (with {@link Options#submit()}) is split and the hosts are about to start. */
        default void jobReady(long jobId) {}

        /** The measuring window closed; the drain (if any) comes next. The CLI prints the SWARM line here. */
        default void windowClosed(SwarmReport.Figures figures) {}
    }

    /**
     * What a swarm does. Build with {@link #builder()}; every value is checked once, here, and a wrong one is an
     * {@link IllegalArgumentException} whose message names the command line option ({@code --hosts must be at
     * least 1, was 0}).
     *
     * @param coordinators gRPC endpoints; host {@code i} talks to {@code coordinators[i % n]}
     * @param hosts simulated hosts, at least 1 (default 1000)
     * @param duration the measuring window (default 60s)
     * @param warmup time between starting the hosts and opening the window (default 10s)
     * @param taskTime how long one task "computes" (a sleep); {@code cores} tasks run at once, so a batch of
     *     {@code n} tasks takes {@code ceil(n / cores) * taskTime} (default 0)
     * @param wrongFraction the fraction of hosts that report wrong outputs, 0 to 1; {@code floor(hosts *
     *     wrongFraction)} hosts, chosen by {@code seed} (default 0)
     * @param cores tasks each host asks for and runs at once (default 4)
     * @param connections gRPC channels (TCP connections) shared round robin among the hosts; 0 gives each host
     *     its own, as real volunteers have (default 0)
     * @param api REST base URLs ({@code http://host:port}); needed for {@code submit}, the validated figure and
     *     the hosts' sign-up as volunteers (without it they register as anonymous hosts, which a coordinator takes
     *     only with {@code starling.volunteers.anonymous-hosts}); several are tried in order (default none)
     * @param apiKey a researcher's API key, for the job calls ({@code submit}, the validated figure); default none
     * @param submit work units of a checksum job to submit before the hosts start, 0 for none (default 0). Only
     *     with a job of its own does the swarm check the outcome
     * @param rounds the checksum job's {@code rounds} parameter (default 1)
     * @param quorum the checksum job's quorum (default 2)
     * @param deployed the swarm's job is a deployed (WebAssembly) app's instead: a trivial module the swarm deploys
     *     ({@code TrivialApp}), swept over {@code submit} work units; the hosts register as running WebAssembly and
     *     answer its tasks as the module would, with an empty output envelope (default false)
     * @param drainTimeout how long after the window the swarm waits for its job to finish (default 10m)
     * @param seed chooses the wrong hosts (default 1) and the colluders, and with {@code seed + 1} the turncoats
     * @param turncoatFraction the fraction of hosts that are turncoats, 0 to 1 (default 0): honest for their first
     *     {@code turncoatAfter} results (long enough to be trusted by adaptive replication), then wrong, all with the
     *     same wrong output (they collude); a host chosen as wrong too stays wrong
     * @param turncoatAfter the results a turncoat computes honestly before it turns (default 20)
     * @param progress where progress lines go (default standard error)
     * @param listener called at points of the run (default none)
     */
    public record Options(
            List<Endpoint> coordinators,
            int hosts,
            Duration duration,
            Duration warmup,
            Duration taskTime,
            double wrongFraction,
            int cores,
            int connections,
            List<URI> api,
            String apiKey,
            long submit,
            long rounds,
            int quorum,
            boolean deployed,
            Duration drainTimeout,
            long seed,
            double turncoatFraction,
            int turncoatAfter,
            Consumer<String> progress,
            Listener listener,
            Strategy strategy,
            double colludeFraction) {

        public Options {
            coordinators = List.copyOf(Objects.requireNonNull(coordinators, "coordinators"));
            api = List.copyOf(Objects.requireNonNull(api, "api"));
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(warmup, "warmup");
            Objects.requireNonNull(taskTime, "taskTime");
            Objects.requireNonNull(drainTimeout, "drainTimeout");
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(strategy, "strategy");
            require(!coordinators.isEmpty(), "--coordinator is required: HOST:PORT[,HOST:PORT...] of the gRPC endpoints");
            require(hosts >= 1, "--hosts must be at least 1, was " + hosts);
            require(duration.isPositive(), "--duration must be longer than 0, was " + Durations.format(duration));
            require(!warmup.isNegative(), "--warmup must not be negative, was " + Durations.format(warmup));
            require(!taskTime.isNegative(), "--task-ms must not be negative, was " + taskTime.toMillis());
            require(wrongFraction >= 0 && wrongFraction <= 1,
                    "--wrong-fraction must be between 0 and 1, was " + wrongFraction);
            require(turncoatFraction >= 0 && turncoatFraction <= 1,
                    "--turncoat-fraction must be between 0 and 1, was " + turncoatFraction);
            require(turncoatAfter >= 0, "--turncoat-after must not be negative, was " + turncoatAfter);
            require(cores >= 1, "--cores must be at least 1, was " + cores);
            require(connections >= 0, "--connections must not be negative (0 = one per host), was " + connections);
            require(connections == 0 || connections >= coordinators.size(), "--connections must be at least the number"
                    + " of coordinators (" + coordinators.size() + "), was " + connections);
            require(submit >= 0, "--submit must not be negative, was " + submit);
            require(submit == 0 || !api.isEmpty(),
                    "--submit needs --api, the coordinator's REST address (for example http://localhost:8080)");
            require(submit == 0 || apiKey != null, "--submit needs --api-key, a researcher's API key (the operator "
                    + "makes one with POST /api/v1/admin/researchers)");
            require(rounds >= 1, "--rounds must be at least 1, was " + rounds);
            require(quorum >= 1, "--quorum must be at least 1, was " + quorum);
            require(!deployed || rounds == 1, "--rounds is the checksum app's; a deployed app's job has none");
            require(drainTimeout.isPositive(), "--drain-timeout must be longer than 0, was "
                    + Durations.format(drainTimeout));
            require(colludeFraction >= 0 && colludeFraction + wrongFraction <= 1,
                    "--collude-fraction must be between 0 and 1 - --wrong-fraction, was " + colludeFraction);
            require(strategy == Strategy.NONE || colludeFraction > 0,
                    "--collude " + strategy.name().toLowerCase(Locale.ROOT) + " needs --collude-fraction above 0");
            require(strategy == Strategy.NONE || deployed, "--collude needs --deployed: only a deployed app's job's"
                    + " result tells which work units' canonical outputs are wrong (the checksum app's is one digest)");
            for (URI uri : api) {
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                require((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null,
                        "--api must be http://HOST:PORT (for example http://localhost:8080), was '" + uri + "'");
            }
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }

        /** A builder holding the defaults; only the coordinators have none. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder holding these options, to change some. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.coordinators = coordinators;
            b.hosts = hosts;
            b.duration = duration;
            b.warmup = warmup;
            b.taskTime = taskTime;
            b.wrongFraction = wrongFraction;
            b.cores = cores;
            b.connections = connections;
            b.api = api;
            b.apiKey = apiKey;
            b.submit = submit;
            b.rounds = rounds;
            b.quorum = quorum;
            b.deployed = deployed;
            b.drainTimeout = drainTimeout;
            b.seed = seed;
            b.turncoatFraction = turncoatFraction;
            b.turncoatAfter = turncoatAfter;
            b.progress = progress;
            b.listener = listener;
            b.strategy = strategy;
            b.colludeFraction = colludeFraction;
            return b;
        }

        /** How many hosts are wrong: {@code floor(hosts * wrongFraction)}, in decimal arithmetic. */
        public int wrongHosts() {
            return WrongHosts.count(hosts, wrongFraction);
        }
    }

    /**
     * How colluding hosts collude. Each returns one agreed wrong output for the work units of which the colluders hold
     * a quorum of replicas, and the right output elsewhere (so none of their results is judged invalid where they
     * cannot win).
     */
    public enum Strategy {
        /** nobody colludes */
        NONE,
        /** same-answer pairs: colluders ask for work as any host does */
        PAIRS,
        /** tandem requests: colluders in pairs, the second asking for its batch right after the first's answer */
        TANDEM,
        /**
         * many fresh accounts: the colluders sign up once the warmup is over (new volunteers joining a running
         * project), each its own account up to 50 (more colluders share them)
         */
        ACCOUNTS
    }

    /** Builds {@link Options}; {@link #build()} checks every value. */
    public static final class Builder {
        private List<Endpoint> coordinators = List.of();
        private int hosts = 1000;
        private Duration duration = Duration.ofSeconds(60);
        private Duration warmup = Duration.ofSeconds(10);
        private Duration taskTime = Duration.ZERO;
        private double wrongFraction;
        private double turncoatFraction;
        private int turncoatAfter = 20;
        private int cores = 4;
        private int connections;
        private List<URI> api = List.of();
        private String apiKey;
        private long submit;
        private long rounds = 1;
        private boolean deployed;
        private int quorum = 2;
        private Duration drainTimeout = Duration.ofMinutes(10);
        private long seed = 1;
        private Consumer<String> progress = System.err::println;
        private Listener listener = new Listener() {};
        private Strategy strategy = Strategy.NONE;
        private double colludeFraction;

        private Builder() {}

        public Builder coordinators(List<Endpoint> value) {
            coordinators = value;
            return this;
        }

        /** {@code host:port[,host:port...]} */
        public Builder coordinators(String value) {
            coordinators = Endpoint.parseList(value);
            return this;
        }

        public Builder hosts(int value) {
            hosts = value;
            return this;
        }

        public Builder duration(Duration value) {
            duration = value;
            return this;
        }

        public Builder warmup(Duration value) {
            warmup = value;
            return this;
        }

        public Builder taskTime(Duration value) {
            taskTime = value;
            return this;
        }

        public Builder turncoatFraction(double value) {
            turncoatFraction = value;
            return this;
        }

        public Builder turncoatAfter(int value) {
            turncoatAfter = value;
            return this;
        }

        public Builder wrongFraction(double value) {
            wrongFraction = value;
            return this;
        }

        public Builder cores(int value) {
            cores = value;
            return this;
        }

        public Builder connections(int value) {
            connections = value;
            return this;
        }

        public Builder api(List<URI> value) {
            api = value;
            return this;
        }

        /** {@code http://host:port[,http://host:port...]} */
        public Builder api(String value) {
            List<URI> uris = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                try {
                    uris.add(new URI(part.trim()));
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException(
                            "--api must be http://HOST:PORT (for example http://localhost:8080), was '" + part.trim() + "'");
                }
            }
            api = uris;
            return this;
        }

        /** A researcher's API key ({@code sr_...}), for the job calls. */
        public Builder apiKey(String value) {
            apiKey = value == null || value.isBlank() ? null : value.strip();
            return this;
        }

        public Builder submit(long workUnits) {
            submit = workUnits;
            return this;
        }

        public Builder deployed(boolean value) {
            deployed = value;
            return this;
        }

        public Builder rounds(long value) {
            rounds = value;
            return this;
        }

        public Builder quorum(int value) {
            quorum = value;
            return this;
        }

        public Builder drainTimeout(Duration value) {
            drainTimeout = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder progress(Consumer<String> value) {
            progress = value;
            return this;
        }

        public Builder strategy(Strategy value) {
            strategy = value;
            return this;
        }

        public Builder colludeFraction(double value) {
            colludeFraction = value;
            return this;
        }

        public Builder listener(Listener value) {
            listener = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first wrong value */
        public Options build() {
            return new Options(coordinators, hosts, duration, warmup, taskTime, wrongFraction, cores, connections, api,
                    apiKey, submit, rounds, quorum, deployed, drainTimeout, seed, turncoatFraction, turncoatAfter,
                    progress, listener, strategy, colludeFraction);
        }
    }
}
