package dev.starling.coordinator.app;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.blob.BlobService;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Work units from a blob of JSON lines ({@code params.workUnitsBlob}): one work unit object a line, blank lines
 * skipped. {@link #check} reads the whole blob once, in bounded memory, when a job names it: every line must be a
 * work unit (a bad one is named by its line number), its files blobs the submitter may read; and it records the
 * blob's line index ({@code work_units_index}) the first time. {@link #reader} then reads any work unit by its index,
 * as the splitter must after a crash, without reading the lines before it.
 */
@Component
class WorkUnitLines {
    /** bytes per line in an index: the line's start (8 bytes) and length (4), big-endian */
    static final int ENTRY = 12;
    /** problems noted before the check stops reading */
    static final int MAX_PROBLEMS = 20;
    /** file blobs checked together */
    private static final int FILE_BATCH = 1000;
    static final String FIELD = "workUnitsBlob";

    private final BlobService blobs;
    private final WorkUnitsIndexTable indexes;
    private final JsonMapper json;
    private final Clock clock;
    private final int maxLineBytes;

    WorkUnitLines(BlobService blobs, WorkUnitsIndexTable indexes, JsonMapper json, Clock clock,
            StarlingProperties properties) {
        this.blobs = blobs;
        this.indexes = indexes;
        this.json = json;
        this.clock = clock;
        this.maxLineBytes = properties.limits().maxParamsBytes();
    }

    /**
     * Checks every line of the blob as a work unit and answers how many there are; problems are noted under
     * {@code workUnitsBlob}, each naming its line. Records the blob's index when it has none yet.
     *
     * @param sharedFiles names of the job's shared files ({@code params.files}), which a line may not name again
     * @param readable which of the given blob ids the submitter may read
     */
    long check(String blobId, JsonFields fields, double maxCost, Set<String> sharedFiles, long maxWorkUnits,
            Function<Collection<String>, Set<String>> readable) {
        boolean indexed = indexes.find(blobId).isPresent();
        Path index = null;
        try {
            index = indexed ? null : Files.createTempFile("starling-index-", ".bin");
            long count;
            try (InputStream in = new BufferedInputStream(blobs.open(blobId), 1 << 16);
                    DataOutputStream out = index == null ? null
                            : new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(index), 1 << 16))) {
                count = scan(in, out, fields, maxCost, sharedFiles, maxWorkUnits, readable);
            }
            if (count == 0 && fields.ok()) {
                fields.problem(FIELD, "the blob holds no work units: one JSON object a line, such as"
                        + " {\"args\":[\"1\",\"1000\"]}");
            }
            if (fields.ok() && index != null) {
                String indexBlob;
                try (InputStream in = Files.newInputStream(index)) {
                    indexBlob = blobs.keep(in, null).id();
                }
                indexes.insert(blobId, new WorkUnitsIndexTable.Index(indexBlob, count), clock.instant());
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + blobId + " from the blob store", e);
        } finally {
            if (index != null) {
                try {
                    Files.deleteIfExists(index);
                } catch (IOException e) {
                    // a temporary file left behind; nothing depends on it
                }
            }
        }
    }

    private long scan(InputStream in, DataOutputStream index, JsonFields fields, double maxCost, Set<String> sharedFiles,
            long maxWorkUnits, Function<Collection<String>, Set<String>> readable) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        Map<String, Long> files = new LinkedHashMap<>(); // blob id to the first line naming it, checked in batches
        long lineNumber = 1;
        long lineStart = 0;
        long offset = 0;
        long count = 0;
        boolean tooLong = false;
        for (int b; ; ) {
            b = in.read();
            if (b == -1 || b == '\n') {
                if (tooLong) {
                    problem(fields, lineNumber, "", "has more than " + maxLineBytes + " bytes");
                } else if (!blank(line)) {
                    if (++count > maxWorkUnits) {
                        fields.problem(FIELD, "the blob holds more than " + maxWorkUnits
                                + " work units, the most a stage may have");
                        return count;
                    }
                    DeployedWorkUnit unit = line(line.toByteArray(), lineNumber, fields, maxCost, sharedFiles);
                    if (unit != null) {
                        for (String id : unit.files().values()) {
                            files.putIfAbsent(id, lineNumber);
                        }
                    }
                    if (index != null) {
                        index.writeLong(lineStart);
                        index.writeInt(line.size());
                    }
                }
                if (files.size() >= FILE_BATCH || (b == -1 && !files.isEmpty())) {
                    checkFiles(files, fields, readable);
                }
                if (b == -1 || fields.problems().size() >= MAX_PROBLEMS) {
                    return count;
                }
                lineNumber++;
                offset++;
                lineStart = offset;
                line.reset();
                tooLong = false;
                continue;
            }
            offset++;
            if (line.size() < maxLineBytes) {
                line.write(b);
            } else {
                tooLong = true;
            }
        }
    }

    private DeployedWorkUnit line(byte[] bytes, long lineNumber, JsonFields fields, double maxCost,
            Set<String> sharedFiles) {
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JacksonException e) {
            problem(fields, lineNumber, "", "is not JSON: " + e.getOriginalMessage());
            return null;
        }
        JsonFields own = new JsonFields();
        DeployedWorkUnit unit = DeployedWorkUnit.read(node, "", own, maxCost);
        if (unit != null) {
            unit.files().keySet().stream().filter(sharedFiles::contains).forEach(name -> own.problem(
                    "files." + name, "is also one of params.files, which every work unit has"));
        }
        own.problems().forEach(p -> problem(fields, lineNumber, p.path(), p.message()));
        return own.ok() ? unit : null;
    }

    private void checkFiles(Map<String, Long> files, JsonFields fields, Function<Collection<String>, Set<String>> readable) {
        Set<String> ok = readable.apply(files.keySet());
        files.forEach((id, lineNumber) -> {
            if (!ok.contains(id)) {
                problem(fields, lineNumber, "files", "no blob " + id
                        + " is stored on this coordinator for you; upload it first with POST /api/v1/blobs");
            }
        });
        files.clear();
    }

    private static void problem(JsonFields fields, long lineNumber, String path, String message) {
        if (fields.problems().size() < MAX_PROBLEMS) {
            fields.problem(FIELD, "line " + lineNumber + (path.isEmpty() ? "" : ": " + path) + ": " + message);
        }
    }

    private static boolean blank(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** The work units of a checked blob, by index. */
    Reader reader(String blobId) {
        WorkUnitsIndexTable.Index index = indexes.find(blobId).orElseThrow(() -> new IllegalStateException(
                "blob " + blobId + " has no work unit index: a job named it without checking it"));
        return new Reader(blobId, index);
    }

    /**
     * Reads lines by index through a window: a run of index entries and the bytes of the lines they point at (up to
     * {@link #SPAN} bytes), so that a batch of consecutive work units costs two reads of the blob store. Not thread
     * safe: one reader per plan, and a plan is used by one thread.
     */
    final class Reader {
        static final int ENTRIES = 1024;
        static final int SPAN = 1 << 20;

        private final String blobId;
        private final WorkUnitsIndexTable.Index index;
        private long entriesFrom = -1;
        private ByteBuffer entries;
        private long dataFrom = -1;
        private long dataTo = -1;
        private long dataOffset;
        private byte[] data;

        private Reader(String blobId, WorkUnitsIndexTable.Index index) {
            this.blobId = blobId;
            this.index = index;
        }

        long size() {
            return index.lines();
        }

        /** The bytes of work unit {@code i}'s line. */
        byte[] line(long i) {
            java.util.Objects.checkIndex(i, index.lines());
            try {
                if (i < dataFrom || i >= dataTo) {
                    load(i);
                }
                long start = start(i);
                int from = (int) (start - dataOffset);
                return Arrays.copyOfRange(data, from, from + length(i));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read work unit " + i + " of blob " + blobId, e);
            }
        }

        private void load(long i) throws IOException {
            if (entries == null || i < entriesFrom || i >= entriesFrom + entries.capacity() / ENTRY) {
                int n = (int) Math.min(ENTRIES, index.lines() - i);
                entries = ByteBuffer.wrap(blobs.read(index.indexBlob(), i * ENTRY, n * ENTRY));
                entriesFrom = i;
            }
            long first = start(i);
            long end = first + length(i);
            long j = i + 1;
            for (long last = entriesFrom + entries.capacity() / ENTRY; j < last; j++) {
                long lineEnd = start(j) + length(j);
                if (lineEnd - first > SPAN) {
                    break;
                }
                end = lineEnd;
            }
            data = blobs.read(blobId, first, (int) (end - first));
            dataOffset = first;
            dataFrom = i;
            dataTo = j;
        }

        private long start(long i) {
            return entries.getLong((int) (i - entriesFrom) * ENTRY);
        }

        private int length(long i) {
            return entries.getInt((int) (i - entriesFrom) * ENTRY + 8);
        }
    }

    /** The work unit of a line read back from a checked blob. */
    DeployedWorkUnit parse(byte[] line) {
        JsonFields fields = new JsonFields();
        DeployedWorkUnit unit = DeployedWorkUnit.read(json.readTree(line), "", fields, Double.MAX_VALUE);
        if (unit == null) {
            throw new IllegalStateException("a checked line no longer reads as a work unit: " + fields.problems());
        }
        return unit;
    }
}
