package dev.starling.worker.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's crash-safe record of its tasks, in {@code <work-dir>/tasks/<result id>/}: {@code task} (the task
 * as the coordinator sent it, written before it runs), {@code checkpoint} (the app's last saved state and the
 * progress it had then) and {@code result} (its outcome, written before it is reported). The directory goes
 * once the coordinator has acknowledged the result, or no longer wants the task. Every file is written whole or
 * not at all ({@link JournalFiles}).
 *
 * <p>After a crash, {@link #recover} reads it back: finished results are reported (again, if the crash came
 * between the acknowledgement and the removal: the coordinator takes a result once), unfinished tasks resume
 * from their checkpoint. A file that is damaged is moved to {@code <work-dir>/damaged/} and said so in the
 * log; what it held is rebuilt where it can be (a task without a trustworthy result runs again) and given back
 * where it cannot. Nothing is dropped without a log line saying so.
 */
public final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    static final String TASK = "task";
    static final String CHECKPOINT = "checkpoint";
    static final String RESULT = "result";
    private static final String GONE_SUFFIX = ".gone";

    private final Path dir;
    private final Path damagedDir;
    private final long budgetBytes;
    private final Clock clock;
    private final Map<Long, Long> bytesByTask = new ConcurrentHashMap<>();
    private final AtomicLong usedBytes = new AtomicLong();

    private Journal(Path workDir, long budgetBytes, Clock clock) {
        this.dir = workDir.resolve("tasks");
        this.damagedDir = workDir.resolve("damaged");
        this.budgetBytes = budgetBytes;
        this.clock = clock;
    }

    /**
     * Opens the journal under {@code workDir}, creating it when there is none.
     *
     * @param budgetBytes the most bytes checkpoints may bring it to (results are never refused); 0: no limit
     * @throws UncheckedIOException saying what to do when the journal's directory cannot be used
     */
    public static Journal open(Path workDir, long budgetBytes, Clock clock) {
        Journal journal = new Journal(workDir, budgetBytes, clock);
        try {
            Files.createDirectories(journal.dir);
            if (!Files.isWritable(journal.dir) || !Files.isReadable(journal.dir)) {
                throw new IOException("it is not readable and writable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(unusable(journal.dir, e), e);
        }
        return journal;
    }

    private static String unusable(Path dir, IOException e) {
        return "cannot use the task journal " + dir + " (" + (e.getMessage() == null ? e.toString() : e.getMessage())
                + "). The worker stops rather than lose the tasks and results it records: fix its permissions or"
                + " the disk, or move it away to start afresh (the coordinator then reissues its tasks once their"
                + " leases run out)";
    }

    /** What the journal held when the worker started. */
    public record Recovered(List<TaskResult> finished, List<Unfinished> unfinished, List<Long> lost) {}

    /** A task that had not finished: run it again, from its checkpoint when it has one. */
    public record Unfinished(Task task, Optional<Checkpoint> checkpoint) {}

    /** An app's saved state and the progress it had when it saved it. */
    public record Checkpoint(double progress, byte[] state) {}

    /**
     * Reads back every task the journal holds; damaged files are moved aside. {@code lost} names tasks whose
     * record was too damaged to run or report them: give them back.
     *
     * @throws UncheckedIOException when the journal cannot be listed at all (the worker must not start)
     */
    public Recovered recover() {
        List<TaskResult> finished = new ArrayList<>();
        List<Unfinished> unfinished = new ArrayList<>();
        List<Long> lost = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                recoverEntry(entry, finished, unfinished, lost);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(unusable(dir, e), e);
        }
        return new Recovered(finished, unfinished, lost);
    }

    private void recoverEntry(Path entry, List<TaskResult> finished, List<Unfinished> unfinished, List<Long> lost)
            throws IOException {
        long resultId;
        try {
            resultId = Long.parseLong(entry.getFileName().toString());
        } catch (NumberFormatException e) {
            String name = entry.getFileName().toString();
            if (name.endsWith(GONE_SUFFIX) && Files.isDirectory(entry)) {
                deleteTree(entry); // a removal a crash cut short
            } else if (name.endsWith(JournalFiles.TEMPORARY_SUFFIX)) {
                Files.deleteIfExists(entry);
            } else {
                log.error("The task journal holds {}, which is no task of this worker; moved to {}", entry,
                        quarantine(entry, entry.getFileName().toString()));
            }
            return;
        }
        if (!Files.isDirectory(entry)) {
            log.error("The task journal holds a file {} where a task's directory belongs; moved to {}", entry,
                    quarantine(entry, entry.getFileName().toString()));
            return;
        }
        deleteTemporaries(entry);
        Optional<TaskResult> result = read(entry, RESULT, TaskResult::parseFrom);
        if (result.isPresent() && result.get().getResultId() == resultId) {
            finished.add(result.get());
            account(resultId, entry);
            return;
        }
        boolean hadTask = Files.exists(entry.resolve(TASK));
        Optional<Task> task = read(entry, TASK, Task::parseFrom);
        if (task.isEmpty() || task.get().getResultId() != resultId) {
            if (hadTask) {
                log.error("Task {}: its journal entry {} can be neither run nor reported; it is given back", resultId,
                        entry);
                lost.add(resultId);
            }
            // without a task file the entry was being written when the worker died: the task never ran
            deleteTree(entry);
            return;
        }
        Optional<Checkpoint> checkpoint = read(entry, CHECKPOINT, Journal::decodeCheckpoint);
        unfinished.add(new Unfinished(task.get(), checkpoint));
        account(resultId, entry);
    }

    private interface Parser<T> {
        T parse(byte[] payload) throws InvalidProtocolBufferException;
    }

    /** The file's content; empty when it does not exist or is damaged (then it is moved aside and logged). */
    private <T> Optional<T> read(Path entry, String name, Parser<T> parser) throws IOException {
        Path file = entry.resolve(name);
        try {
            return Optional.of(parser.parse(JournalFiles.read(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JournalFiles.DamagedException | InvalidProtocolBufferException | IllegalArgumentException e) {
            Path moved = quarantine(file, entry.getFileName() + "-" + name);
            log.error("The task journal's {} is damaged ({}); moved to {}{}", file, e.getMessage(), moved,
                    switch (name) {
                        case RESULT -> "; the task runs again";
                        case CHECKPOINT -> "; the task starts over";
                        default -> "";
                    });
            return Optional.empty();
        }
    }

    private static Checkpoint decodeCheckpoint(byte[] payload) {
        if (payload.length < Double.BYTES) {
            throw new IllegalArgumentException("a checkpoint of " + payload.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(payload);
        double progress = in.getDouble();
        byte[] state = new byte[in.remaining()];
        in.get(state);
        return new Checkpoint(Double.isFinite(progress) ? Math.max(0, Math.min(1, progress)) : 0, state);
    }

    /** Records a task before it runs. */
    public void accepted(Task task) throws IOException {
        Path entry = entry(task.getResultId());
        Files.createDirectories(entry);
        write(task.getResultId(), entry.resolve(TASK), task.toByteArray());
        JournalFiles.forceDirectory(dir);
    }

    /**
     * Records a task's checkpoint, replacing the one before.
     *
     * @throws JournalFullException when it would take the journal past its share of the disk limit
     */
    public void checkpoint(long resultId, double progress, byte[] state) throws IOException {
        Path file = entry(resultId).resolve(CHECKPOINT);
        long old = Files.exists(file) ? Files.size(file) : 0;
        long added = JournalFiles.sizeOf(Double.BYTES + state.length) - old;
        if (budgetBytes > 0 && added > 0 && usedBytes.get() + added > budgetBytes) {
            throw new JournalFullException("the checkpoint of task " + resultId + " (" + state.length + " bytes) would"
                    + " take the task journal past its " + budgetBytes + " bytes (part of --disk-limit)");
        }
        byte[] payload = ByteBuffer.allocate(Double.BYTES + state.length).putDouble(progress).put(state).array();
        write(resultId, file, payload);
    }

    /** Records a task's result before it is reported. */
    public void finished(TaskResult result) throws IOException {
        write(result.getResultId(), entry(result.getResultId()).resolve(RESULT), result.toByteArray());
    }

    /**
     * Forgets a task: its result was acknowledged, or the coordinator no longer wants it. The entry is renamed
     * first (atomically), so a crash midway leaves either the whole entry or one that recovery removes.
     */
    public void forget(long resultId) {
        Long bytes = bytesByTask.remove(resultId);
        if (bytes != null) {
            usedBytes.addAndGet(-bytes);
        }
        Path entry = entry(resultId);
        Path gone = dir.resolve(resultId + GONE_SUFFIX);
        try {
            Files.move(entry, gone, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException never) {
            return; // never journaled (the disk was full), or forgotten already
        } catch (IOException e) {
            log.warn("Could not remove task {} from the journal ({}); it will be reported once more after a restart,"
                    + " which the coordinator ignores", resultId, e.getMessage());
            return;
        }
        JournalFiles.forceDirectory(dir);
        try {
            deleteTree(gone);
        } catch (IOException e) {
            log.debug("Could not delete {} yet ({}); the next start does", gone, e.getMessage());
        }
    }

    /** The bytes the journal's files take. */
    public long usedBytes() {
        return usedBytes.get();
    }

    private Path entry(long resultId) {
        return dir.resolve(Long.toString(resultId));
    }

    private void write(long resultId, Path file, byte[] payload) throws IOException {
        long old = Files.exists(file) ? Files.size(file) : 0;
        JournalFiles.write(file, payload);
        long delta = JournalFiles.sizeOf(payload.length) - old;
        bytesByTask.merge(resultId, delta, Long::sum);
        usedBytes.addAndGet(delta);
    }

    private void account(long resultId, Path entry) throws IOException {
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entry)) {
            for (Path file : files) {
                bytes += Files.size(file);
            }
        }
        bytesByTask.put(resultId, bytes);
        usedBytes.addAndGet(bytes);
    }

    private static void deleteTree(Path entry) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entry)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        Files.deleteIfExists(entry);
    }

    private static void deleteTemporaries(Path entry) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entry, "*" + JournalFiles.TEMPORARY_SUFFIX)) {
            for (Path file : files) {
                Files.deleteIfExists(file); // a write a crash cut short: the file it was to replace is intact
            }
        }
    }

    private Path quarantine(Path file, String name) throws IOException {
        Files.createDirectories(damagedDir);
        Path target = damagedDir.resolve(name + "-" + clock.millis());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** A checkpoint the journal has no room for. */
    public static final class JournalFullException extends IOException {
        JournalFullException(String message) {
            super(message);
        }
    }
}
