package dev.starling.coordinator.retention;

import dev.starling.coordinator.job.Job;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The archive of a purged job, as JSON lines (gzip-compressed by the caller): first the job, then one line per work
 * unit in stage and index order, holding its replicas. Bytes (inputs, outputs) are base64. The format is documented
 * in docs/api.md ("Archives"); {@value #FORMAT} is its version, in the job's line.
 */
final class JobArchive {
    static final int FORMAT = 1;

    private final JsonMapper json;
    private final OutputStream out;

    JobArchive(JsonMapper json, OutputStream out) {
        this.json = json;
        this.out = out;
    }

    void job(Job job) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "job");
        line.put("format", FORMAT);
        line.put("id", job.id());
        line.put("researcherId", job.researcherId());
        line.put("app", job.app());
        line.put("state", job.state().name());
        line.put("params", json.readTree(job.paramsJson()));
        line.put("result", job.resultJson() == null ? null : json.readTree(job.resultJson()));
        line.put("error", job.error());
        line.put("createdAt", job.createdAt());
        line.put("startedAt", job.startedAt());
        line.put("finishedAt", job.finishedAt());
        write(line);
    }

    void workUnit(PurgeQueries.ArchivedWorkUnit w, List<PurgeQueries.ArchivedReplica> replicas) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "workUnit");
        line.put("id", w.id());
        line.put("stage", w.stage());
        line.put("index", w.index());
        line.put("state", w.state());
        line.put("cost", w.cost());
        line.put("input", base64(w.input()));
        line.put("blobs", List.of(w.blobs()));
        line.put("error", w.error());
        line.put("createdAt", w.createdAt());
        line.put("finishedAt", w.finishedAt());
        line.put("canonicalResultId", w.canonicalResultId());
        String canonical = null;
        List<Map<String, Object>> list = new ArrayList<>();
        for (PurgeQueries.ArchivedReplica r : replicas) {
            if (r.output() != null) {
                canonical = base64(r.output());
            }
            Map<String, Object> replica = new LinkedHashMap<>();
            replica.put("id", r.id());
            replica.put("hostId", r.hostId());
            replica.put("state", r.state());
            replica.put("credit", r.credit());
            replica.put("createdAt", r.createdAt());
            replica.put("sentAt", r.sentAt());
            replica.put("reportedAt", r.reportedAt());
            replica.put("outputHash", r.outputHash());
            replica.put("outputSize", r.outputSize());
            replica.put("error", r.errorMessage());
            replica.put("cpuTimeMillis", r.cpuTimeMillis());
            list.add(replica);
        }
        line.put("canonicalOutput", canonical);
        line.put("replicas", list);
        write(line);
    }

    private void write(Map<String, Object> line) throws IOException {
        out.write(json.writeValueAsBytes(line));
        out.write('\n');
    }

    private static String base64(byte[] bytes) {
        return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
    }
}
