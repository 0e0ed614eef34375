package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static dev.starling.worker.testing.Eventually.untilAsserted;
import static dev.starling.worker.testing.WasmModules.c;
import static dev.starling.worker.testing.WasmModules.text;
import static dev.starling.worker.testing.WasmModules.workUnit;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.worker.config.Preferences;
import dev.starling.worker.control.Sensors;
import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.control.UserActivity;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.MutableClock;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WasmModules;
import dev.starling.worker.testing.WorkerFixture;
import dev.starling.worker.testing.WorkerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployed apps' tasks on a real worker: WebAssembly modules built from C (the samples and the sandbox's probe), their
 * blobs fetched from the (fake) coordinator, their outputs reported as envelopes. Whatever a module does, the worker
 * reports an error replica saying what, and goes on with the next task.
 */
class WasmWorkerTest {
    private static final String APP = "probe@1.0.0";

    @TempDir
    Path workDir;

    @RegisterExtension
    final WorkerFixture fixture = new WorkerFixture(() -> workDir);

    private FakeCoordinator coordinator() {
        return fixture.coordinator();
    }

    /** Offers a task of {@code unit}, whose module and files the coordinator serves. */
    private long offer(WasmWorkUnit.Builder unit, byte[] module, byte[]... files) {
        List<BlobSource> inputs = new ArrayList<>();
        coordinator().seed().holding(module);
        inputs.add(coordinator().source(module, true));
        for (byte[] file : files) {
            coordinator().seed().holding(file);
            inputs.add(coordinator().source(file, true));
        }
        return coordinator().offer(APP, unit.build().toByteArray(), inputs.toArray(BlobSource[]::new));
    }

    private TaskResult resultOf(long task) {
        until(() -> coordinator().accepted().containsKey(task));
        return coordinator().accepted().get(task);
    }

    private static WasmOutput output(TaskResult result) throws InvalidProtocolBufferException {
        assertThat(result.hasSuccess()).as(result.toString()).isTrue();
        return WasmOutput.parseFrom(result.getSuccess().getOutput());
    }

    private static String stdout(TaskResult result) throws InvalidProtocolBufferException {
        return output(result).getStdout().toStringUtf8();
    }

    private static Failure error(TaskResult result) {
        assertThat(result.hasFailure()).as(result.toString()).isTrue();
        assertThat(result.getFailure().getKind()).isEqualTo(Failure.Kind.COMPUTE_ERROR);
        return result.getFailure();
    }

    /** The worker goes on: a built-in app's task and a module's after the one under test both succeed. */
    private void goesOn(byte[] probe) throws InvalidProtocolBufferException {
        long builtIn = coordinator().offer("echo:still here");
        long deployed = offer(workUnit(probe, 16, 10, "args", "next"), probe);
        assertThat(resultOf(builtIn).getSuccess().getOutput().toStringUtf8()).isEqualTo("still here");
        assertThat(stdout(resultOf(deployed))).startsWith("[app][args][next]");
    }

    @Test
    void registersWithTheMemoryItGivesWebAssembly() {
        fixture.start(w -> w.wasmMemoryMiB(300));

        until(() -> !coordinator().registrations().isEmpty());
        assertThat(coordinator().registrations().getFirst().getWasm().getMemoryMib()).isEqualTo(300);
        assertThat(coordinator().registrations().getFirst().getAppsList()).containsExactly(TestApp.NAME);
    }

    @Test
    void aWorkerWithoutWebAssemblySaysNothingOfItAndGivesItsTasksBack() {
        byte[] primes = c("primes");
        fixture.start(w -> w.wasmMemoryMiB(0));
        long task = offer(workUnit(primes, 16, 10, "0", "100"), primes);

        TaskResult result = resultOf(task);

        assertThat(coordinator().registrations().getFirst().hasWasm()).isFalse();
        assertThat(result.getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(result.getFailure().getMessage()).contains("runs no WebAssembly");
    }

    @Test
    void primesInCGiveTheJavaAppsCounts() throws Exception {
        byte[] primes = c("primes");
        fixture.start();

        long small = offer(workUnit(primes, 16, 60, "0", "100"), primes);
        long large = offer(workUnit(primes, 16, 60, "1000000", "2000000"), primes);

        assertThat(stdout(resultOf(small))).isEqualTo("25");
        assertThat(stdout(resultOf(large))).isEqualTo("70435");
    }

    @Test
    void argumentsStandardInputReadOnlyInputFilesAndOutputFilesTravel() throws Exception {
        byte[] probe = c("probe");
        byte[] data = "the input".getBytes(UTF_8);
        fixture.start();

        long args = offer(workUnit(probe, 16, 10, "args", "two words").setStdin(text("from stdin")), probe);
        long input = offer(WasmModules.withFile(workUnit(probe, 16, 10, "input"), "a.dat", data), probe, data);
        long files = offer(WasmModules.withFile(workUnit(probe, 16, 10, "files"), "a.dat", data), probe, data);

        assertThat(stdout(resultOf(args))).isEqualTo("[app][args][two words] stdin 10: from stdin\n");
        assertThat(stdout(resultOf(input))).contains("r /input/a.dat: read 9 bytes: the input");
        // the module wrote /output/sub/more.txt too: only plain files directly under /output/ are kept
        assertThat(error(resultOf(files)).getMessage()).contains("/output/sub/more.txt",
                "only plain files directly under /output/");
    }

    @Test
    void aReduceTaskReadsItsInputFileAsItsStandardInputAndANameNotAmongItsFilesIsRefused() throws Exception {
        byte[] sum = c("sum");
        byte[] outputs = "25\n70435\n".getBytes(UTF_8);
        fixture.start();

        long piped = offer(WasmModules.withFile(workUnit(sum, 16, 10), "outputs", outputs).setStdinFile("outputs"),
                sum, outputs);
        long file = offer(WasmModules.withFile(workUnit(sum, 16, 10, "--file"), "outputs", outputs)
                .setStdinFile("outputs"), sum, outputs);
        long elsewhere = offer(WasmModules.withFile(workUnit(sum, 16, 10), "outputs", outputs)
                .setStdinFile("passwd"), sum, outputs);

        assertThat(stdout(resultOf(piped))).isEqualTo("70460\n");
        assertThat(stdout(resultOf(file))).isEqualTo("70460\n");
        assertThat(error(resultOf(elsewhere)).getMessage()).contains("stdin_file", "not one of the task's input files");
    }

    @Test
    void outputFilesComeBackInTheEnvelopeInNameOrder() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        WasmOutput output = output(resultOf(offer(workUnit(probe, 16, 10, "outputs"), probe)));

        assertThat(output.getStdout().toStringUtf8()).isEqualTo("wrote two files\n");
        assertThat(output.getFilesList()).extracting(WasmOutputFile::getName).containsExactly("a.txt", "b.txt");
        assertThat(output.getFiles(1).getContent().toStringUtf8()).isEqualTo("b.txt");
    }

    @Test
    void aStoppingWorkerParksAModuleWithItsCheckpointAndResumesItAtItsNextStart() throws Exception {
        byte[] probe = c("probe");
        WorkerHarness first = fixture.start(w -> w.gracePeriod(Duration.ofSeconds(10)));
        long task = offer(workUnit(probe, 16, 3600, "count", "0", "until-resumed"), probe);
        untilAsserted(() -> assertThat(coordinator().heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == task).anyMatch(p -> p.getFractionDone() > 0)).isTrue());

        first.stop(); // asks for a checkpoint, which the module saves at its next step

        assertThat(coordinator().heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == task && p.getParked())).as("parked").isNotEmpty();
        assertThat(coordinator().wasEverReported(task)).isFalse();
        fixture.start();

        // the probe counts until it is started again from a checkpoint, then ends at once: no machine is fast enough to
        // finish before the stop
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> coordinator().accepted().containsKey(task));
        assertThat(stdout(coordinator().accepted().get(task))).matches("resumed at [1-9][0-9]*, counted to [0-9]+\n");
    }

    @Test
    void aWorkerStoppedWhileItsModuleIsPausedParksItFromItsLastCheckpointWithoutWaitingOutTheGracePeriod()
            throws Exception {
        byte[] probe = c("probe");
        AtomicReference<OptionalDouble> othersCpu = new AtomicReference<>(OptionalDouble.of(0.0));
        Sensors sensors = new Sensors(othersCpu::get, UserActivity.UNKNOWN, () -> 0);
        Preferences preferences = Preferences.builder().idleOnly(true).busyGrace(Duration.ZERO)
                .checkpointInterval(Duration.ofSeconds(1)).workBuffer(Duration.ZERO).build();
        WorkerHarness first = fixture.start(w -> w.gracePeriod(Duration.ofHours(1)).preferences(preferences)
                .sensors(sensors));
        // counts until it is started again from a checkpoint: 8,000 and 80,000 steps ended before the first checkpoint
        // (a second) on fast machines
        long task = offer(workUnit(probe, 16, 3600, "count", "0", "until-resumed"), probe);
        until(() -> Files.exists(workDir.resolve("tasks").resolve(Long.toString(task)).resolve("checkpoint")));
        othersCpu.set(OptionalDouble.of(0.9));
        until(() -> aWasmTaskIn("awaitComputing"));

        // the paused module cannot get to its next checkpoint_due(): the stop must not wait the hour for it
        Thread stopping = Thread.ofPlatform().start(() -> {
            try {
                first.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        until(() -> !stopping.isAlive());

        assertThat(coordinator().heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == task && p.getParked())).as("parked").isNotEmpty();
        assertThat(coordinator().wasEverReported(task)).isFalse();
        othersCpu.set(OptionalDouble.of(0.0));
        fixture.start(w -> w.preferences(preferences).sensors(sensors));

        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> coordinator().accepted().containsKey(task));
        assertThat(stdout(coordinator().accepted().get(task))).matches("resumed at [1-9][0-9]*, counted to [0-9]+\n");
    }

    @Test
    void aBusyMachinePausesARunningModuleAtItsNextSafepointAndAnIdleOneResumesIt() {
        byte[] probe = c("probe");
        AtomicReference<OptionalDouble> othersCpu = new AtomicReference<>(OptionalDouble.of(0.0));
        fixture.start(w -> w.preferences(Preferences.builder().idleOnly(true).busyGrace(Duration.ZERO)
                        .workBuffer(Duration.ZERO).build())
                .sensors(new Sensors(othersCpu::get, UserActivity.UNKNOWN, () -> 0)));
        long task = offer(workUnit(probe, 16, 3600, "count", "100000000"), probe);

        pausedAndResumed(task, () -> othersCpu.set(OptionalDouble.of(0.9)), () -> othersCpu.set(OptionalDouble.of(0.0)));
    }

    @Test
    void keyboardUsePausesARunningModuleUntilTheIdleAfterHasPassed() {
        byte[] probe = c("probe");
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T12:00:00Z"));
        AtomicReference<Optional<Instant>> lastInput = new AtomicReference<>(Optional.empty());
        fixture.start(w -> w.clock(clock).preferences(Preferences.builder().idleOnly(true)
                        .idleAfter(Duration.ofMinutes(3)).workBuffer(Duration.ZERO).build())
                .sensors(new Sensors(() -> OptionalDouble.of(0.0), lastInput::get, () -> 0)));
        long task = offer(workUnit(probe, 16, 3600, "count", "100000000"), probe);

        pausedAndResumed(task, () -> lastInput.set(Optional.of(clock.instant())),
                () -> clock.advance(Duration.ofMinutes(4)));
    }

    @Test
    void theEndOfTheComputeHoursPausesARunningModuleUntilTheyBeginAgain() {
        byte[] probe = c("probe");
        MutableClock clock = new MutableClock(Instant.parse("2025-06-02T06:00:00Z"));
        fixture.start(w -> w.clock(clock).preferences(Preferences.builder()
                .computeHours(TimeWindows.parse("19:00-07:00")).workBuffer(Duration.ZERO).build()));
        long task = offer(workUnit(probe, 16, 3600, "count", "100000000"), probe);

        pausedAndResumed(task, () -> clock.advance(Duration.ofHours(2)), () -> clock.advance(Duration.ofHours(11)));
    }

    /**
     * Sees the running module make progress, {@code suspend} it, stop at a safepoint (its thread waits in the compute
     * gate, its heartbeats say suspended and their progress stands still), then {@code resume} it and go on from there.
     */
    private void pausedAndResumed(long task, Runnable suspend, Runnable resume) {
        until(() -> progressOf(task) > 0);

        suspend.run();

        until(() -> aWasmTaskIn("awaitComputing"));
        until(() -> latestBeatOf(task).map(TaskProgress::getSuspended).orElse(false));
        double paused = progressInTheNextBeat(task);
        assertThat(progressInTheNextBeat(task)).as("progress while paused").isEqualTo(paused);
        assertThat(aWasmTaskIn("awaitComputing")).isTrue();

        resume.run();

        until(() -> progressOf(task) > paused);
        assertThat(latestBeatOf(task).map(TaskProgress::getSuspended)).contains(false);
        coordinator().abandonOnNextHeartbeat(task);
    }

    @Test
    void aModuleIsPacedToTheCpuLimitAtItsSafepoints() {
        byte[] probe = c("probe");
        // at 10% the task's thread sleeps in the pacer nine tenths of the time: a look at it soon finds it there
        fixture.start(w -> w.preferences(Preferences.builder().cpuLimitPercent(10).workBuffer(Duration.ZERO).build()));
        long task = offer(workUnit(probe, 16, 3600, "count", "100000000"), probe);
        until(() -> progressOf(task) > 0);

        until(() -> Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("wasm-task"))
                .anyMatch(e -> e.getValue().length > 0 && e.getValue()[0].getMethodName().startsWith("sleep")
                        && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith(".Pacer")
                                && f.getMethodName().equals("pace"))
                        && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith(".Safepoints"))));
        coordinator().abandonOnNextHeartbeat(task);
    }

    /** Whether a module's thread is in {@code method} right now. */
    private static boolean aWasmTaskIn(String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("wasm-task"))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals(method)));
    }

    /** The task in the last heartbeat that carried it. */
    private Optional<TaskProgress> latestBeatOf(long task) {
        return coordinator().heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == task).reduce((a, b) -> b);
    }

    /** The task's progress in a heartbeat sent after this call (one may be on its way as it is made). */
    private double progressInTheNextBeat(long task) {
        int seen = coordinator().heartbeats().size();
        until(() -> coordinator().heartbeats().size() > seen + 1);
        return progressOf(task);
    }

    /** The task's progress as its last heartbeat said. */
    private double progressOf(long task) {
        return coordinator().heartbeats().stream().flatMap(h -> h.getTasksList().stream())
                .filter(p -> p.getResultId() == task).mapToDouble(p -> p.getFractionDone()).reduce((a, b) -> b)
                .orElse(0);
    }

    @Test
    void noPathLeadsToAHostFile() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        String out = stdout(resultOf(offer(workUnit(probe, 16, 10, "escape"), probe)));

        assertThat(out).doesNotContain("root:").contains("r /etc/passwd: refused",
                "r ../../../../etc/passwd: refused", "r /input/../../etc/passwd: refused", "r link2/etc/passwd: refused");
        assertThat(Path.of("/escaped.txt")).doesNotExist();
        goesOn(probe);
    }

    @Test
    void aMallocPastTheMemoryLimitIsAnErrorReplicaSayingSo() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        Failure failure = error(resultOf(offer(workUnit(probe, 64, 10, "malloc", "1024"), probe)));

        assertThat(failure.getMessage()).contains("memory.grow to", "limit is 64 MiB", "exited with code 3",
                "malloc of 1024 MiB failed");
        goesOn(probe);
    }

    @Test
    void aTwoGibibyteMemoryGrowReturnsMinusOne() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        assertThat(stdout(resultOf(offer(workUnit(probe, 64, 10, "grow"), probe)))).isEqualTo("memory.grow(32768) = -1\n");
        goesOn(probe);
    }

    @Test
    void deepRecursionTraps() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        assertThat(error(resultOf(offer(workUnit(probe, 16, 10, "recurse"), probe))).getMessage())
                .startsWith("trap: ").contains("out of bounds memory access");
        goesOn(probe);
    }

    @Test
    void anInfiniteLoopIsStoppedByItsCpuLimit() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        assertThat(error(resultOf(offer(workUnit(probe, 16, 1, "loop"), probe))).getMessage())
                .contains("more than its CPU time limit of 1 s");
        goesOn(probe);
    }

    @Test
    void aStdoutFloodIsStopped() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        assertThat(error(resultOf(offer(workUnit(probe, 16, 10, "flood"), probe))).getMessage()).contains("4096 bytes");
        goesOn(probe);
    }

    @Test
    void filesPastTheScratchLimitFail() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        assertThat(error(resultOf(offer(workUnit(probe, 16, 10, "scratch"), probe))).getMessage())
                .contains("1048576 bytes");
        goesOn(probe);
    }

    @Test
    void aNonZeroExitReportsTheEndOfStandardErrorCleaned() throws Exception {
        byte[] probe = c("probe");
        fixture.start();

        String message = error(resultOf(offer(workUnit(probe, 16, 10, "stderr"), probe))).getMessage();

        assertThat(message).startsWith("the module exited with code 7").contains("line one", "last line")
                .doesNotContain("\0");
        goesOn(probe);
    }

    @Test
    void aModuleThatIsNoModuleOrImportsWhatTheSandboxLacksIsAnErrorReplica() throws Exception {
        byte[] probe = c("probe");
        byte[] truncated = java.util.Arrays.copyOf(probe, probe.length / 2);
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        byte[] missingImport = WasmModules.wat("""
                (module
                  (import "env" "launch_missiles" (func $launch))
                  (memory (export "memory") 1)
                  (func (export "_start") (call $launch)))
                """);
        fixture.start();

        long a = offer(workUnit(truncated, 16, 10), truncated);
        long b = offer(workUnit(random, 16, 10), random);
        long d = offer(workUnit(missingImport, 16, 10), missingImport);

        assertThat(error(resultOf(a)).getMessage()).startsWith("the module was refused: ");
        assertThat(error(resultOf(b)).getMessage()).startsWith("the module was refused: ");
        assertThat(error(resultOf(d)).getMessage()).startsWith("the module was refused: ").contains("env");
        goesOn(probe);
    }

    @Test
    void aMalformedWorkUnitIsRefusedFieldByField() throws Exception {
        byte[] probe = c("probe");
        byte[] data = "x".getBytes(UTF_8);
        fixture.start();

        long notAWorkUnit = coordinator().offer(APP, new byte[] {(byte) 0xff, 1, 2}, coordinator().source(probe, true));
        long moduleNotAnInput = coordinator().offer(APP, workUnit(probe, 16, 10).build().toByteArray());
        long badFileName = offer(WasmModules.withFile(workUnit(probe, 16, 10), "../passwd", data), probe, data);
        long noCpu = offer(workUnit(probe, 16, 0), probe);
        long nulArgument = offer(workUnit(probe, 16, 10, "a\0b"), probe);

        assertThat(error(resultOf(notAWorkUnit)).getMessage()).startsWith("malformed task: the input is not a");
        assertThat(error(resultOf(moduleNotAnInput)).getMessage()).contains("module: blob", "is not one of the task's");
        assertThat(error(resultOf(badFileName)).getMessage()).contains("'../passwd' is not a plain file name");
        assertThat(error(resultOf(noCpu)).getMessage()).contains("limits.max_cpu_seconds must be at least 1");
        assertThat(error(resultOf(nulArgument)).getMessage()).contains("args[0]");
        goesOn(probe);
    }

    @Test
    void aTaskAskingForMoreMemoryThanTheBudgetIsGivenBack() throws Exception {
        byte[] probe = c("probe");
        fixture.start(w -> w.wasmMemoryMiB(64));

        TaskResult result = resultOf(offer(workUnit(probe, 65, 10, "args"), probe));

        assertThat(result.getFailure().getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(result.getFailure().getMessage()).contains("needs 65 MiB", "--wasm-memory of 64 MiB");
        goesOn(probe);
    }

    @Test
    void aTaskTheCoordinatorAbandonsIsDroppedAndFreesItsCoreAndMemory() throws Exception {
        byte[] probe = c("probe");
        WorkerHarness worker = fixture.start(w -> w.cores(1).wasmMemoryMiB(16));
        long loop = offer(workUnit(probe, 16, 3600, "loop"), probe);
        until(() -> worker.worker().status().wasmInUseMiB() == 16);

        coordinator().abandonOnNextHeartbeat(loop);

        goesOn(probe); // on the one core, within the 16 MiB the loop held
        assertThat(coordinator().wasEverReported(loop)).isFalse();
        untilAsserted(() -> assertThat(worker.worker().status().wasmInUseMiB()).isZero());
    }
}
