package dev.starling.wasm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sandbox with modules written in WebAssembly text: needs no toolchain. */
class SandboxTest {
    private static final WasmSandbox SANDBOX = WasmSandbox.create();
    private static final WasmTask.Limits SMALL = new WasmTask.Limits(16, Duration.ofSeconds(2), 1000, 1 << 20);

    @AfterAll
    static void close() {
        SANDBOX.close();
    }

    private static TaskResult run(byte[] module, WasmTask.Limits limits) {
        return SANDBOX.run(SANDBOX.load(module), WasmTask.builder().limits(limits).build(), TaskControl.NONE);
    }

    @Test
    void runsACommandAndCapturesItsOutput() {
        TaskResult result = run(TestModules.command("(call $print (i32.const 16) (i32.const 6))"), SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.SUCCEEDED);
        assertThat(result.exitCode()).isZero();
        assertThat(new String(result.stdout(), UTF_8)).isEqualTo("hello\n");
    }

    @Test
    void compilesAModuleOncePerProcess() {
        byte[] module = TestModules.command("(nop)");

        assertThat(SANDBOX.load(module)).isSameAs(SANDBOX.load(module.clone()));
    }

    @Test
    void aNonZeroExitIsAFailureWithItsCode() {
        TaskResult result = run(TestModules.command("(call $proc_exit (i32.const 3))"), SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.EXIT_CODE);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.message()).contains("exited with code 3");
    }

    @Test
    void trapsAreFailuresThatSayWhich() {
        assertThat(run(TestModules.command("(unreachable)"), SMALL))
                .satisfies(r -> assertThat(r.status()).isEqualTo(TaskResult.Status.TRAP))
                .satisfies(r -> assertThat(r.message()).containsIgnoringCase("unreachable"));
        assertThat(run(TestModules.command("(drop (i32.load (i32.const 70000)))"), SMALL))
                .satisfies(r -> assertThat(r.status()).isEqualTo(TaskResult.Status.TRAP))
                .satisfies(r -> assertThat(r.message()).contains("out of bounds memory access"));
        assertThat(run(TestModules.command("(drop (i32.div_s (i32.const 1) (i32.const 0)))"), SMALL).status())
                .isEqualTo(TaskResult.Status.TRAP);
    }

    @Test
    void endlessRecursionTrapsAndTheNextTaskRuns() {
        TaskResult result = run(TestModules.command("(drop (call $recurse (i32.const 0)))"), SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.TRAP);
        assertThat(result.message()).contains("call stack exhausted");
        assertThat(run(TestModules.command("(call $print (i32.const 16) (i32.const 6))"), SMALL).succeeded())
                .isTrue();
    }

    @Test
    void anInfiniteLoopIsStoppedAtItsCpuLimit() {
        TaskResult result = run(TestModules.command("(loop (br 0))"),
                new WasmTask.Limits(16, Duration.ofMillis(300), 1000, 0));

        assertThat(result.status()).isEqualTo(TaskResult.Status.CPU_LIMIT);
        assertThat(result.message()).contains("CPU time limit");
        assertThat(result.cpuNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void standardOutputPastItsLimitFailsTheTaskInsteadOfBeingCut() {
        TaskResult result = run(TestModules.command("(loop (call $print (i32.const 16) (i32.const 6)) (br 0))"),
                SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.OUTPUT_LIMIT);
        assertThat(result.message()).contains("1000 bytes");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void memoryGrowPastTheCapReturnsMinusOne() {
        // grows by 2 GiB (32768 pages): refused, the module stores what memory.grow returned and prints it as a byte
        byte[] module = TestModules.command("""
                (i32.store8 (i32.const 100) (i32.add (i32.const 48) (i32.add (i32.const 1)
                    (memory.grow (i32.const 32768)))))
                (i32.store8 (i32.const 101) (i32.add (i32.const 48) (memory.grow (i32.const 15))))
                (call $print (i32.const 100) (i32.const 2))""");

        TaskResult result = run(module, SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.SUCCEEDED);
        assertThat(new String(result.stdout(), UTF_8)).as("-1 + 1, then the old size 1 (16 MiB allowed)")
                .isEqualTo("01");
    }

    @Test
    void aRefusedGrowThatEndsTheTaskIsReportedAsTheMemoryLimit() {
        byte[] module = TestModules.command("""
                (if (i32.eq (memory.grow (i32.const 32768)) (i32.const -1)) (then (call $proc_exit (i32.const 1))))""");

        TaskResult result = run(module, SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.MEMORY_LIMIT);
        assertThat(result.message()).contains("memory limit is 16 MiB").contains("exited with code 1");
    }

    @Test
    void aModuleStartingWithMoreMemoryThanItsLimitDoesNotRun() {
        byte[] module = TestModules.wat("""
                (module (memory (export "memory") 512) (func (export "_start")))""");

        TaskResult result = run(module, SMALL);

        assertThat(result.status()).isEqualTo(TaskResult.Status.MEMORY_LIMIT);
        assertThat(result.message()).contains("starts with 32 MiB");
    }

    @Test
    void aPausedTaskUsesNoCpuUntilResumedAndCanBeCancelled() throws Exception {
        WasmSandbox.Module spin = SANDBOX.load(TestModules.command("(loop (br 0))"));
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        AtomicInteger safepointsAfterResume = new AtomicInteger();
        TaskControl control = new TaskControl() {
            @Override
            public void safepoint() throws InterruptedException {
                if (taskThread.compareAndSet(null, Thread.currentThread())) {
                    paused.countDown();
                    resume.await();
                } else if (safepointsAfterResume.incrementAndGet() == 3) {
                    throw new TaskCancelledException("the job was cancelled");
                }
            }
        };
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<TaskResult> result = caller.submit(() -> SANDBOX.run(spin,
                    WasmTask.builder().limits(new WasmTask.Limits(16, Duration.ofMinutes(5), 10, 0)).build(),
                    control));
            paused.await();
            while (taskThread.get().getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            var threads = ManagementFactory.getThreadMXBean();
            long id = taskThread.get().threadId();
            long cpuBefore = threads.getThreadCpuTime(id);
            Thread.sleep(300);
            assertThat(threads.getThreadCpuTime(id)).as("CPU time while paused").isEqualTo(cpuBefore);
            resume.countDown();

            assertThat(result.get().status()).isEqualTo(TaskResult.Status.CANCELLED);
            assertThat(result.get().message()).contains("the job was cancelled");
            assertThat(safepointsAfterResume).hasValue(3);
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void interruptingTheCallerCancelsTheTask() throws Exception {
        WasmSandbox.Module spin = SANDBOX.load(TestModules.command("(loop (br 0))"));
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<TaskResult> result = new AtomicReference<>();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(SANDBOX.run(spin, WasmTask.builder().build(), new TaskControl() {
                @Override
                public void safepoint() {
                    started.countDown();
                }
            }));
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        started.await();
        caller.interrupt();
        caller.join();

        assertThat(result.get().status()).isEqualTo(TaskResult.Status.CANCELLED);
        assertThat(interruptKept.get()).isTrue();
    }

    @Test
    void progressReachesTheControlAndNonsenseIsDropped() {
        byte[] module = TestModules.wat("""
                (module
                  (import "starling" "progress" (func $progress (param f64)))
                  (memory (export "memory") 1)
                  (func (export "_start")
                    (call $progress (f64.const 0.25))
                    (call $progress (f64.const nan))
                    (call $progress (f64.const 7))
                    (call $progress (f64.const 0.5))))""");
        java.util.List<Double> seen = new java.util.ArrayList<>();

        TaskResult result = SANDBOX.run(SANDBOX.load(module), WasmTask.builder().build(), new TaskControl() {
            @Override
            public void progress(double fractionDone) {
                seen.add(fractionDone);
            }
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(seen).containsExactly(0.25, 0.5);
    }
}
