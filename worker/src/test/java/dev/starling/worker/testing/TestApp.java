package dev.starling.worker.testing;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CancelledException;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tiny app whose input says what to do:
 * {@code echo:TEXT} writes TEXT; {@code fail:MESSAGE} throws; {@code big:N} writes N bytes;
 * {@code gate:NAME:TEXT} waits until the test opens gate NAME, then writes TEXT;
 * {@code block:NAME} reports progress 0.5 and waits until it is cancelled;
 * {@code read} writes one line per blob the work unit reads: its content address as read, then its size;
 * {@code store:TEXT} stores TEXT as a blob and writes its id;
 * {@code checkpoint:NAME:STATE} resumed from a checkpoint writes {@code resumed from <checkpoint>}; else it
 * saves STATE as its checkpoint at progress 0.4, waits until the test opens gate NAME and writes {@code fresh};
 * {@code spin:NAME:TEXT} reports progress again and again (where a suspended task waits) until gate NAME opens,
 * then writes TEXT.
 */
public final class TestApp implements App {
    public static final String NAME = "test-app";

    private final Gates gates;

    /** For the ServiceLoader. */
    public TestApp() {
        this(new Gates());
    }

    public TestApp(Gates gates) {
        this.gates = gates;
    }

    @Override
    public AppInfo info() {
        return new AppInfo(NAME, "1", "Does what its input says; for the worker's tests.", List.of());
    }

    @Override
    public StagePlan split(JobParams params) {
        throw new UnsupportedOperationException("only computes");
    }

    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        String[] command = new String(workUnit.input(), StandardCharsets.UTF_8).split(":", 3);
        switch (command[0]) {
            case "echo" -> context.output().write(command[1].getBytes(StandardCharsets.UTF_8));
            case "fail" -> throw new IllegalStateException(command[1]);
            case "big" -> context.output().write(new byte[Integer.parseInt(command[1])]);
            case "gate" -> {
                gates.markStarted(command[1]);
                gates.awaitOpen(command[1]);
                context.output().write(command[2].getBytes(StandardCharsets.UTF_8));
            }
            case "block" -> {
                context.progress(0.5);
                gates.markStarted(command[1]);
                try {
                    gates.awaitOpen(command[1]);
                } catch (InterruptedException e) {
                    gates.markCancelled(command[1]);
                    Thread.currentThread().interrupt();
                    throw new CancelledException();
                }
            }
            case "read" -> {
                for (String blob : workUnit.blobs()) {
                    try (InputStream in = context.openBlob(blob)) {
                        String line = ContentAddress.of(in) + " " + context.blobSize(blob) + "\n";
                        context.output().write(line.getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            case "checkpoint" -> {
                var saved = context.checkpoint();
                if (saved.isPresent()) {
                    context.output().write(("resumed from " + new String(saved.get(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                context.progress(0.4);
                context.saveCheckpoint(command[2].getBytes(StandardCharsets.UTF_8));
                gates.markStarted(command[1]);
                gates.awaitOpen(command[1]);
                context.output().write("fresh".getBytes(StandardCharsets.UTF_8));
            }
            case "spin" -> {
                gates.markStarted(command[1]);
                while (!gates.isOpen(command[1])) {
                    context.progress(0.5);
                    Thread.sleep(1);
                }
                context.output().write(command[2].getBytes(StandardCharsets.UTF_8));
            }
            case "store" -> context.output().write(context.storeBlob(command[1].getBytes(StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        }
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        return Map.of();
    }
}
