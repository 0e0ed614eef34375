package dev.starling.sdk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalRunnerTest {

    @Test
    void runsAJobThroughSplitComputeAndAssimilate() {
        LocalRunner runner = LocalRunner.forApp(new SquaresApp()).replicas(3).threads(2).build();

        // 0^2 + 1^2 + ... + 99^2
        assertThat(runner.run(Map.of("n", 100))).isEqualTo(Map.of("sum", 328350L, "workUnits", 100L));
    }

    @Test
    void streamsCanonicalOutputsInIndexOrder() {
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        SquaresApp app = new SquaresApp() {
            @Override
            public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
                outputs.forEach(o -> seen.add(o.index()));
                return Map.of();
            }
        };

        LocalRunner.forApp(app).threads(4).build().run(Map.of("n", 500));

        assertThat(seen).hasSize(500).isSorted();
    }

    @Test
    void rejectsInvalidParamsFromSpecsAndFromValidate() {
        LocalRunner runner = LocalRunner.forApp(new SquaresApp()).build();

        assertThatThrownBy(() -> runner.run(Map.of("n", 0)))
                .isInstanceOfSatisfying(InvalidParamsException.class,
                        e -> assertThat(e.errors()).containsExactly(new ParamError("n", "must be >= 1")));
        assertThatThrownBy(() -> runner.run(Map.of("n", 13)))
                .isInstanceOfSatisfying(InvalidParamsException.class,
                        e -> assertThat(e.errors()).containsExactly(new ParamError("n", "must not be 13")));
    }

    @Test
    void catchesANonDeterministicAppAndNamesTheWorkUnit() {
        AtomicInteger calls = new AtomicInteger();
        SquaresApp app = new SquaresApp() {
            @Override
            long value(long i) {
                return i == 3 ? calls.incrementAndGet() : super.value(i);
            }
        };
        LocalRunner runner = LocalRunner.forApp(app).threads(1).build();

        assertThatThrownBy(() -> runner.run(Map.of("n", 10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stage 0, work unit 3: replicas 0 and 1 disagree: \"1\" vs \"2\"");
    }

    @Test
    void acceptsOutputsThatTheAppDeemsEquivalent() {
        AtomicInteger calls = new AtomicInteger();
        SquaresApp app = new SquaresApp() {
            @Override
            long value(long i) {
                return 1000 * i + calls.incrementAndGet() % 2; // noise in the last digit
            }

            @Override
            public boolean equivalent(WorkUnit workUnit, byte[] a, byte[] b) {
                return Math.abs(parse(a) - parse(b)) <= 1;
            }
        };

        assertThat(LocalRunner.forApp(app).replicas(2).threads(1).build().run(Map.of("n", 4))).containsKey("sum");
    }

    @Test
    void reportsAFailingWorkUnitWithItsCause() {
        SquaresApp app = new SquaresApp() {
            @Override
            long value(long i) {
                if (i == 2) {
                    throw new ArithmeticException("boom");
                }
                return i;
            }
        };

        assertThatThrownBy(() -> LocalRunner.forApp(app).threads(1).build().run(Map.of("n", 5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stage 0, work unit 2, replica 0: compute failed")
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @Test
    void cancelsTheOtherTasksWhenOneFails() {
        SquaresApp app = new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) {
                if (index(workUnit) == 0) {
                    throw new IllegalArgumentException("bad input");
                }
                Instant giveUp = Instant.now().plus(Duration.ofSeconds(20));
                while (!context.isCancelled()) {
                    if (Instant.now().isAfter(giveUp)) {
                        throw new AssertionError("never cancelled");
                    }
                    Thread.onSpinWait();
                }
                throw new CancelledException();
            }
        };

        assertThatThrownBy(() -> LocalRunner.forApp(app).threads(2).build().run(Map.of("n", 2)))
                .hasMessageStartingWith("stage 0, work unit 0, replica 0: compute failed")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runsLaterStagesFromTheCanonicalOutputsOfTheEarlierOnes() {
        // stage 0 squares 0..n-1; stage 1 is one work unit adding up the squares it is given
        SquaresApp app = new SquaresApp() {
            @Override
            public Optional<StagePlan> nextStage(JobParams params, int completedStage, Stream<CanonicalOutput> outputs) {
                if (completedStage == 1) {
                    return Optional.empty();
                }
                String squares = String.join(" ", outputs.map(o -> new String(o.output(), UTF_8)).toList());
                return Optional.of(plan(1, i -> squares.getBytes(UTF_8)));
            }

            @Override
            public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
                if (workUnit.stage() == 0) {
                    super.compute(workUnit, context);
                } else {
                    long sum = Stream.of(new String(workUnit.input(), UTF_8).split(" ")).mapToLong(Long::parseLong).sum();
                    context.output().write(Long.toString(sum).getBytes(UTF_8));
                }
            }

            @Override
            public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
                CanonicalOutput only = outputs.reduce((a, b) -> {
                    throw new AssertionError("one output expected");
                }).orElseThrow();
                return Map.of("stage", only.stage(), "sum", parse(only.output()));
            }
        };

        assertThat(LocalRunner.forApp(app).build().run(Map.of("n", 100))).isEqualTo(Map.of("stage", 1, "sum", 328350L));
    }

    @Test
    void catchesAStagePlanThatIsNotAPureFunctionOfTheIndex() {
        AtomicInteger calls = new AtomicInteger();
        SquaresApp app = new SquaresApp() {
            @Override
            public StagePlan split(JobParams params) {
                return plan(1, i -> Long.toString(calls.incrementAndGet()).getBytes(UTF_8));
            }
        };

        assertThatThrownBy(() -> LocalRunner.forApp(app).build().run(Map.of("n", 1)))
                .hasMessageContaining("stage 0, work unit 0: the stage plan gave two different work units for one index");
    }

    @Test
    void catchesProgressOutOfRange() {
        SquaresApp app = new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) {
                context.progress(1.5);
            }
        };

        assertThatThrownBy(() -> LocalRunner.forApp(app).build().run(Map.of("n", 1)))
                .hasRootCauseMessage("progress must be within [0, 1]: 1.5");
    }

    @Test
    void givesEachReplicaItsOwnCopyOfTheInput() {
        SquaresApp app = new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
                super.compute(workUnit, context);
                workUnit.input()[0] = '9'; // a careless app scribbling on its input
            }
        };

        assertThat(LocalRunner.forApp(app).replicas(3).build().run(Map.of("n", 3))).containsEntry("sum", 5L);
    }

    @Test
    void refusesStagesLargerThanItsLimit() {
        assertThatThrownBy(() -> LocalRunner.forApp(new SquaresApp()).maxWorkUnits(10).build().run(Map.of("n", 11)))
                .hasMessage("stage 0 has 11 work units; the local runner takes 1 to 10 (see Builder.maxWorkUnits)");
    }

    @Test
    void computesOneWorkUnit() throws Exception {
        LocalRunner runner = LocalRunner.forApp(new SquaresApp()).build();

        assertThat(runner.computeOne(new WorkUnit(0, 7, "7".getBytes(UTF_8)))).asString(UTF_8).isEqualTo("49");
        assertThatThrownBy(() -> runner.computeOne(new WorkUnit(0, 0, "x".getBytes(UTF_8))))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void checkpointsAreKeptInMemory() throws Exception {
        SquaresApp app = new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
                assertThat(context.checkpoint()).isEmpty();
                context.saveCheckpoint(new byte[] {1, 2});
                byte[] state = context.checkpoint().orElseThrow();
                context.output().write(state);
            }
        };

        assertThat(LocalRunner.forApp(app).build().computeOne(new WorkUnit(0, 0, new byte[0]))).containsExactly(1, 2);
    }

    /** Sums 1..n in steps, checkpointing (next, sum) when asked; {@code forgetful} resumes with a sum of zero. */
    private static App steppingSum(boolean forgetful) {
        return new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
                int n = Integer.parseInt(new String(workUnit.input(), UTF_8));
                long[] state = context.checkpoint().map(b -> java.nio.ByteBuffer.wrap(b))
                        .map(b -> new long[] {b.getLong(), forgetful ? 0 : b.getLong()}).orElse(new long[] {1, 0});
                for (long i = state[0]; i <= n; i++) {
                    if (context.isCancelled()) {
                        throw new CancelledException();
                    }
                    state[1] += i;
                    if (context.checkpointDue()) {
                        context.saveCheckpoint(java.nio.ByteBuffer.allocate(16).putLong(i + 1).putLong(state[1]).array());
                    }
                }
                context.output().write(Long.toString(state[1]).getBytes(UTF_8));
            }
        };
    }

    @Test
    void theLastReplicaIsInterruptedAfterItsFirstCheckpointAndResumed() {
        assertThat(LocalRunner.forApp(steppingSum(false)).build().run(Map.of("n", 100)))
                .as("an app that resumes right agrees with itself").isNotNull();

        assertThatThrownBy(() -> LocalRunner.forApp(steppingSum(true)).build().run(Map.of("n", 100)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replicas 0 and 1 disagree");
        assertThat(LocalRunner.forApp(steppingSum(true)).resumeLastReplica(false).build().run(Map.of("n", 100)))
                .as("not interrupted: the bug goes unseen").isNotNull();
    }

    @Test
    void computeResumedGivesTheOutputOfTheRunAfterTheInterruption() throws Exception {
        WorkUnit hundred = new WorkUnit(0, 0, "100".getBytes(UTF_8));

        assertThat(LocalRunner.forApp(steppingSum(false)).build().computeResumed(hundred)).asString(UTF_8).isEqualTo("5050");
        assertThat(LocalRunner.forApp(steppingSum(true)).build().computeResumed(hundred)).asString(UTF_8)
                .isEqualTo(Long.toString(5050 - 1));
        assertThat(LocalRunner.forApp(steppingSum(false)).build().computeOne(hundred)).asString(UTF_8).isEqualTo("5050");
    }

    @Test
    void aCheckpointLargerThanTheLimitIsRefused() {
        SquaresApp app = new SquaresApp() {
            @Override
            public void compute(WorkUnit workUnit, TaskContext context) {
                context.saveCheckpoint(new byte[TaskContext.MAX_CHECKPOINT_BYTES + 1]);
            }
        };

        assertThatThrownBy(() -> LocalRunner.forApp(app).build().computeOne(new WorkUnit(0, 0, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a checkpoint holds at most");
    }

    @Test
    void buildChecksItsSettings() {
        assertThatThrownBy(() -> LocalRunner.forApp(new SquaresApp()).replicas(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("replicas must be >= 1: 0");
        assertThatThrownBy(() -> LocalRunner.forApp(new SquaresApp()).threads(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be >= 1: 0");
        assertThatThrownBy(() -> LocalRunner.forApp(new SquaresApp()).maxWorkUnits(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalRunner.forApp(null)).isInstanceOf(NullPointerException.class);
    }

    /** Work unit i of n outputs value(i) = i^2 as text; the result is the sum over all work units. */
    static class SquaresApp implements App {
        @Override
        public AppInfo info() {
            return new AppInfo("squares", "1", "Sums squares.",
                    List.of(ParamSpec.integer("n", "how many work units").withRange(1.0, 1000.0)));
        }

        @Override
        public List<ParamError> validate(JobParams params) {
            return params.getLong("n") == 13 ? List.of(new ParamError("n", "must not be 13")) : List.of();
        }

        @Override
        public StagePlan split(JobParams params) {
            return plan(params.getLong("n"), i -> Long.toString(i).getBytes(UTF_8));
        }

        @Override
        public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
            context.progress(0.5);
            context.output().write(Long.toString(value(index(workUnit))).getBytes(UTF_8));
        }

        long value(long i) {
            return i * i;
        }

        @Override
        public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
            long[] sumAndCount = new long[2];
            outputs.forEach(o -> {
                sumAndCount[0] += parse(o.output());
                sumAndCount[1]++;
            });
            return Map.of("sum", sumAndCount[0], "workUnits", sumAndCount[1]);
        }

        static long index(WorkUnit workUnit) {
            return parse(workUnit.input());
        }

        static long parse(byte[] text) {
            return Long.parseLong(new String(text, UTF_8));
        }

        static StagePlan plan(long size, java.util.function.LongFunction<byte[]> input) {
            return StagePlan.of(size, index -> new WorkUnitSpec(input.apply(index), 1));
        }
    }
}
