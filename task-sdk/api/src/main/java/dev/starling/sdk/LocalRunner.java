package dev.starling.sdk;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Runs jobs of an app in this JVM, without a coordinator or workers, so that an app can be tested in a
 * plain unit test. It follows the life of a job on the platform: parameters are bound and validated,
 * every work unit of every stage is computed {@code replicas} times, the replicas must agree through
 * {@link App#equivalent}, and the canonical outputs are assimilated in index order.
 *
 * <pre>{@code
 * LocalRunner runner = LocalRunner.forApp(new PrimesApp()).replicas(2).build();
 * assertThat(runner.run(Map.of("from", 0, "to", 1_000_000))).containsEntry("count", 78498L);
 * }</pre>
 *
 * <p>It is stricter than the platform, on purpose: where a quorum would out-vote one odd replica, the
 * runner fails, naming the work unit, because an app whose replicas disagree on one machine will
 * disagree far more often across volunteers' machines. It also asks the stage plan for each work unit
 * twice and fails when the answers differ, and rejects progress outside [0, 1]. With two replicas or more,
 * the last replica of each work unit is interrupted as a worker crash would interrupt it: it is asked for a
 * checkpoint at every {@link TaskContext#checkpointDue}, cancelled right after its first one, and computed
 * again from that state, and its output must agree with the others. Blobs live in memory:
 * uploaded inputs are given with {@link Builder#blob}, and a work unit may open only the blobs its plan
 * names (as on a worker, which fetches exactly those) and those it stored itself.
 */
public final class LocalRunner {
    private final App app;
    private final int replicas;
    private final int threads;
    private final long maxWorkUnits;
    private final boolean resumeLastReplica;
    /** uploaded blobs and blobs work units stored, by id */
    private final Map<String, byte[]> blobs;

    private LocalRunner(Builder builder) {
        this.app = builder.app;
        this.replicas = builder.replicas;
        this.threads = builder.threads;
        this.maxWorkUnits = builder.maxWorkUnits;
        this.resumeLastReplica = builder.resumeLastReplica;
        this.blobs = new ConcurrentHashMap<>(builder.blobs);
    }

    public static Builder forApp(App app) {
        return new Builder(Objects.requireNonNull(app, "app"));
    }

    /**
     * Binds raw parameters as the coordinator does on submission: {@link ParamSpec#bind} with the app's
     * specs, then {@link App#validate}.
     *
     * @throws InvalidParamsException listing every problem found
     */
    public JobParams bind(Map<String, ?> rawParams) {
        return JobParams.of(app, rawParams);
    }

    /**
     * Runs a whole job and returns its result, as {@link App#assimilate} made it.
     *
     * @throws InvalidParamsException when the parameters are not acceptable
     * @throws IllegalStateException when a work unit fails or its replicas disagree; the message names
     *     the stage and work unit, the cause is what {@link App#compute} threw
     */
    public Map<String, Object> run(Map<String, ?> rawParams) {
        JobParams params = bind(rawParams);
        StagePlan plan = app.split(params);
        for (int stage = 0; ; stage++) {
            byte[][] outputs = runStage(stage, plan);
            Optional<StagePlan> next = app.nextStage(params, stage, canonical(stage, outputs));
            if (next.isEmpty()) {
                return app.assimilate(params, canonical(stage, outputs));
            }
            plan = next.get();
        }
    }

    /** Computes one work unit once and returns its output; what {@link App#compute} throws comes through. */
    public byte[] computeOne(WorkUnit workUnit) throws Exception {
        Context context = new Context(workUnit, new AtomicBoolean(), null, false);
        app.compute(copyOf(workUnit), context);
        return context.output.toByteArray();
    }

    /**
     * Computes one work unit as a worker that crashes would: the first run is asked for a checkpoint at every
     * chance and cancelled right after it saved one; then {@code compute} runs again, given that state, and its
     * output is returned. An app that never saves a checkpoint simply runs once. Compare the result with
     * {@link #computeOne} to test resuming.
     */
    public byte[] computeResumed(WorkUnit workUnit) throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        Context interrupted = new Context(workUnit, cancelled, null, true);
        try {
            app.compute(copyOf(workUnit), interrupted);
        } catch (CancelledException expected) {
            // the simulated crash
        }
        if (interrupted.checkpoint == null) {
            return interrupted.output.toByteArray();
        }
        Context resumed = new Context(workUnit, new AtomicBoolean(), interrupted.checkpoint, false);
        app.compute(copyOf(workUnit), resumed);
        return resumed.output.toByteArray();
    }

    /** Computes every work unit of a stage on {@code threads} threads; returns the canonical outputs by index. */
    private byte[][] runStage(int stage, StagePlan plan) {
        long size = plan.size();
        if (size < 1 || size > maxWorkUnits) {
            throw new IllegalStateException("stage " + stage + " has " + size
                    + " work units; the local runner takes 1 to " + maxWorkUnits + " (see Builder.maxWorkUnits)");
        }
        byte[][] outputs = new byte[(int) size][];
        AtomicLong nextIndex = new AtomicLong();
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable loop = () -> {
            long index;
            while (!cancelled.get() && (index = nextIndex.getAndIncrement()) < size) {
                try {
                    outputs[(int) index] = computeAgreed(stage, index, plan, cancelled);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t); // the first failure wins; the others stop early
                    cancelled.set(true);
                }
            }
        };
        if (threads == 1) {
            loop.run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "local-runner");
                t.setDaemon(true);
                return t;
            });
            try {
                pool.invokeAll(Collections.nCopies(threads, Executors.callable(loop)));
            } catch (InterruptedException e) {
                cancelled.set(true);
                Thread.currentThread().interrupt();
                throw new CancelledException();
            } finally {
                pool.shutdownNow();
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        }
        return outputs;
    }

    /** Computes all replicas of one work unit and checks that they agree; returns the first replica's output. */
    private byte[] computeAgreed(int stage, long index, StagePlan plan, AtomicBoolean cancelled) {
        String where = "stage " + stage + ", work unit " + index;
        WorkUnitSpec spec = plan.workUnit(index);
        WorkUnitSpec again = plan.workUnit(index);
        if (!Arrays.equals(spec.input(), again.input()) || spec.cost() != again.cost()
                || !spec.blobs().equals(again.blobs())) {
            throw new IllegalStateException(where + ": the stage plan gave two different work units for one index;"
                    + " StagePlan.workUnit must be a pure function of the index");
        }
        for (String blob : spec.blobs()) {
            if (!blobs.containsKey(blob)) {
                throw new IllegalStateException(where + ": reads blob " + blob + ", which is neither an uploaded blob"
                        + " (LocalRunner.Builder.blob) nor one a previous stage stored");
            }
        }
        WorkUnit workUnit = new WorkUnit(stage, index, spec.input(), spec.blobs());
        byte[] first = computeReplica(workUnit, 0, where, cancelled, false);
        if (!app.equivalent(workUnit, first, first)) {
            throw new IllegalStateException(where + ": equivalent() says output " + describe(first)
                    + " is not equivalent to itself");
        }
        for (int r = 1; r < replicas; r++) {
            byte[] other = computeReplica(workUnit, r, where, cancelled, resumeLastReplica && r == replicas - 1);
            boolean forth = app.equivalent(workUnit, first, other);
            boolean back = app.equivalent(workUnit, other, first);
            if (forth != back) {
                throw new IllegalStateException(where + ": equivalent() is not symmetric for outputs "
                        + describe(first) + " and " + describe(other));
            } else if (!forth) {
                throw new IllegalStateException(where + ": replicas 0 and " + r + " disagree: " + describe(first)
                        + " vs " + describe(other) + "; is the app deterministic? (time, randomness, iteration"
                        + " order of hash maps and shared state all make replicas differ)");
            }
        }
        return first;
    }

    /** @param resumed interrupt the replica after its first checkpoint and compute it again from there */
    private byte[] computeReplica(WorkUnit workUnit, int replica, String where, AtomicBoolean cancelled,
            boolean resumed) {
        Context context = new Context(workUnit, cancelled, null, resumed);
        try {
            // a copy, so that an app that scribbles on its input cannot change the next replica's
            app.compute(copyOf(workUnit), context);
        } catch (CancelledException e) {
            if (!resumed || context.checkpoint == null || cancelled.get()) {
                throw new IllegalStateException(where + ", replica " + replica + ": compute failed: " + e, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException(where + ", replica " + replica + ": compute failed: " + e, e);
        }
        if (!resumed || context.checkpoint == null) {
            return context.output.toByteArray();
        }
        Context again = new Context(workUnit, cancelled, context.checkpoint, false);
        try {
            app.compute(copyOf(workUnit), again);
        } catch (Exception e) {
            throw new IllegalStateException(where + ", replica " + replica + " resumed from its checkpoint: compute"
                    + " failed: " + e, e);
        }
        return again.output.toByteArray();
    }

    private static Stream<CanonicalOutput> canonical(int stage, byte[][] outputs) {
        return LongStream.range(0, outputs.length).mapToObj(i -> new CanonicalOutput(stage, i, outputs[(int) i]));
    }

    private static WorkUnit copyOf(WorkUnit workUnit) {
        return new WorkUnit(workUnit.stage(), workUnit.index(), workUnit.input().clone(), workUnit.blobs());
    }

    /** Short printable outputs as text, others as their size and content address. */
    private static String describe(byte[] output) {
        boolean printable = output.length <= 80;
        for (int i = 0; printable && i < output.length; i++) {
            printable = output[i] >= 0x20 && output[i] < 0x7f;
        }
        return printable
                ? "\"" + new String(output, StandardCharsets.US_ASCII) + "\""
                : output.length + " bytes " + ContentAddress.of(output);
    }

    /**
     * The task context of one replica: output, checkpoints and blobs in memory, a shared cancellation flag. An
     * interrupted one asks for a checkpoint at every chance and counts as cancelled once it saved one.
     */
    private final class Context implements TaskContext {
        private final AtomicBoolean cancelled;
        private final boolean interruptAfterCheckpoint;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        /** the blobs this replica may open: those its work unit names and those it stored */
        private final Set<String> readable = ConcurrentHashMap.newKeySet();
        private volatile byte[] checkpoint;

        Context(WorkUnit workUnit, AtomicBoolean cancelled, byte[] checkpoint, boolean interruptAfterCheckpoint) {
            this.cancelled = cancelled;
            this.checkpoint = checkpoint;
            this.interruptAfterCheckpoint = interruptAfterCheckpoint;
            readable.addAll(workUnit.blobs());
        }

        @Override
        public void progress(double fractionDone) {
            if (!(fractionDone >= 0 && fractionDone <= 1)) {
                throw new IllegalArgumentException("progress must be within [0, 1]: " + fractionDone);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get() || (interruptAfterCheckpoint && checkpoint != null);
        }

        @Override
        public boolean checkpointDue() {
            return interruptAfterCheckpoint && checkpoint == null;
        }

        @Override
        public Optional<byte[]> checkpoint() {
            byte[] state = checkpoint;
            return state == null ? Optional.empty() : Optional.of(state.clone());
        }

        @Override
        public void saveCheckpoint(byte[] state) {
            if (state.length > MAX_CHECKPOINT_BYTES) {
                throw new IllegalArgumentException("a checkpoint holds at most " + MAX_CHECKPOINT_BYTES + " bytes, this"
                        + " one has " + state.length);
            }
            checkpoint = state.clone();
        }

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public InputStream openBlob(String blobId) {
            return new ByteArrayInputStream(blob(blobId));
        }

        @Override
        public long blobSize(String blobId) {
            return blob(blobId).length;
        }

        @Override
        public String storeBlob(byte[] content) {
            String id = ContentAddress.of(content);
            blobs.putIfAbsent(id, content.clone());
            readable.add(id);
            return id;
        }

        private byte[] blob(String blobId) {
            byte[] content = readable.contains(blobId) ? blobs.get(blobId) : null;
            if (content == null) {
                throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads or stored");
            }
            return content;
        }
    }

    /** Settings of a {@link LocalRunner}; {@link #build()} checks them. */
    public static final class Builder {
        private final App app;
        private int replicas = 2;
        private int threads = Runtime.getRuntime().availableProcessors();
        private long maxWorkUnits = 1_000_000;
        private boolean resumeLastReplica = true;
        private final Map<String, byte[]> blobs = new java.util.HashMap<>();

        private Builder(App app) {
            this.app = app;
        }

        /** How many times each work unit is computed; all replicas must agree. Default 2. */
        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        /** How many work units are computed at once; default: the number of processors. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * The most work units a stage may have, since the runner keeps every canonical output in memory.
         * Default 1,000,000.
         */
        public Builder maxWorkUnits(long maxWorkUnits) {
            this.maxWorkUnits = maxWorkUnits;
            return this;
        }

        /**
         * Whether the last replica of each work unit (when there are two or more) is interrupted after its first
         * checkpoint and resumed from it, which tests that the app resumes correctly. Default true.
         */
        public Builder resumeLastReplica(boolean resume) {
            this.resumeLastReplica = resume;
            return this;
        }

        /**
         * Makes {@code content} available as an uploaded blob, as {@code POST /api/v1/blobs} would; its id is
         * {@link ContentAddress#of(byte[]) ContentAddress.of(content)}.
         */
        public Builder blob(byte[] content) {
            blobs.put(ContentAddress.of(content), content.clone());
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting out of range */
        public LocalRunner build() {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1: " + threads);
            }
            if (maxWorkUnits < 1 || maxWorkUnits > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxWorkUnits must be within [1, " + (Integer.MAX_VALUE - 8) + "]: "
                        + maxWorkUnits);
            }
            return new LocalRunner(this);
        }
    }
}
