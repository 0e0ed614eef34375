package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.Text;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.TaskResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;

/**
 * The bounds of the worker protocol, all in one place (docs/protocol.md lists them). A worker is a stranger's
 * program: {@link WorkerProtocol} checks every request here before anything reads it, and a string or a repeated
 * field beyond its bound, a number out of its range, or a name holding a control character is INVALID_ARGUMENT naming
 * the field; nothing of the request is stored. Unsigned fields are read as unsigned, so 2^64-1 is not taken for -1.
 *
 * <p>Text: names a worker gives (host name, os, arch, worker version, apps, peer address) are refused when they hold a
 * control character (PostgreSQL refuses U+0000 in text, and the rest rewrites logs and terminals); free text that is
 * only shown (a failure message, a complaint's reason) is cleaned and cut instead ({@link #message}): a failure report
 * is worth more than a character in its message.
 */
final class WireLimits {
    /** a host's name, spaces around it stripped */
    static final int MAX_NAME = 200;
    /** os, arch, worker_version */
    static final int MAX_LABEL = 100;
    /** app names a worker may offer, and the length of each */
    static final int MAX_APPS = 256;
    static final int MAX_APP_NAME = 100;
    /** account_key, host_token, and the token of the authorization header */
    static final int MAX_SECRET = 200;
    static final int MAX_PEER_ADDRESS = 300;
    static final int MAX_CORES = 65_536;
    /** 1 TiB: far beyond any machine's budget for WebAssembly tasks, bounded so sums cannot overflow */
    static final long MAX_WASM_MEMORY_MIB = 1 << 20;
    /** 1 PiB */
    static final long MAX_MEMORY_BYTES = 1L << 50;
    /** tasks one heartbeat names: far more than a worker holds */
    static final int MAX_HEARTBEAT_TASKS = 10_000;
    static final int MAX_RESULTS = 1_000;
    /** a failure message or a complaint's reason: longer ones are cut, not refused */
    static final int MAX_MESSAGE = 2_000;
    static final int MAX_MISSING_BLOBS = 1_000;
    static final int MAX_PRODUCED_BLOBS = 10_000;
    /** any blob id or output hash ({@code sha256:} and 64 hex digits); its form is checked where it is used */
    static final int MAX_BLOB_ID = 71;
    /** a byte counter of one task (bytes_from_peers, bytes_from_coordinator), a produced blob's size: 1 PiB */
    static final long MAX_BYTES = 1L << 50;
    /** a task's CPU time: 2^40 ms, 35 years */
    static final long MAX_CPU_MILLIS = 1L << 40;
    /** holding and dropped together */
    static final int MAX_ANNOUNCED_BLOBS = 100_000;
    static final int MAX_COMPLAINTS = 1_000;

    private WireLimits() {}

    static void check(RegisterRequest r) {
        String name = r.getName().strip();
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw invalid("name must have 1 to " + MAX_NAME + " characters, got " + name.length());
        }
        name("name", name, MAX_NAME);
        name("os", r.getOs(), MAX_LABEL);
        name("arch", r.getArch(), MAX_LABEL);
        name("worker_version", r.getWorkerVersion(), MAX_LABEL);
        if (r.getCores() < 1 || r.getCores() > MAX_CORES) {
            throw invalid("cores must be 1 to " + MAX_CORES + ", got " + Integer.toUnsignedString(r.getCores()));
        }
        if (r.getMemoryBytes() < 0 || r.getMemoryBytes() > MAX_MEMORY_BYTES) {
            throw invalid("memory_bytes must be 0 to " + MAX_MEMORY_BYTES + " (1 PiB), got "
                    + Long.toUnsignedString(r.getMemoryBytes()));
        }
        if (r.hasWasm()) {
            long mib = Integer.toUnsignedLong(r.getWasm().getMemoryMib());
            if (mib < 1 || mib > MAX_WASM_MEMORY_MIB) {
                throw invalid("wasm.memory_mib must be between 1 and " + MAX_WASM_MEMORY_MIB
                        + " (the memory the worker gives WebAssembly tasks, in MiB), got " + mib);
            }
        }
        if (r.getAppsCount() == 0 && !r.hasWasm()) {
            throw invalid("the worker offers no apps; it must be able to run at least one (a built-in app, or"
                    + " deployed apps with wasm)");
        }
        count("apps", r.getAppsCount(), MAX_APPS);
        for (String app : r.getAppsList()) {
            if (app.isEmpty()) {
                throw invalid("apps: an app name is empty");
            }
            name("apps", app, MAX_APP_NAME);
        }
        name("peer_address", r.getPeerAddress(), MAX_PEER_ADDRESS);
        length("account_key", r.getAccountKey(), MAX_SECRET);
        length("host_token", r.getHostToken(), MAX_SECRET);
    }

    static void check(HeartbeatRequest r) {
        count("tasks", r.getTasksCount(), MAX_HEARTBEAT_TASKS);
    }

    static void check(ReportResultsRequest r) {
        count("results", r.getResultsCount(), MAX_RESULTS);
        for (TaskResult t : r.getResultsList()) {
            String at = "result " + t.getResultId() + ": ";
            range(at + "cpu_time_millis", t.getCpuTimeMillis(), MAX_CPU_MILLIS);
            range(at + "transfer.bytes_from_peers", t.getTransfer().getBytesFromPeers(), MAX_BYTES);
            range(at + "transfer.bytes_from_coordinator", t.getTransfer().getBytesFromCoordinator(), MAX_BYTES);
            if (t.hasSuccess()) {
                Success s = t.getSuccess();
                length(at + "success.output_hash", s.getOutputHash(), MAX_BLOB_ID);
                count(at + "success.produced", s.getProducedCount(), MAX_PRODUCED_BLOBS);
                for (var b : s.getProducedList()) {
                    length(at + "success.produced.blob_id", b.getBlobId(), MAX_BLOB_ID);
                    range(at + "success.produced.size", b.getSize(), MAX_BYTES);
                }
            } else if (t.hasFailure()) {
                Failure f = t.getFailure();
                count(at + "failure.missing_blob_ids", f.getMissingBlobIdsCount(), MAX_MISSING_BLOBS);
                blobIds(at + "failure.missing_blob_ids", f.getMissingBlobIdsList());
            }
        }
    }

    static void check(AnnounceBlobsRequest r) {
        count("holding and dropped", r.getHoldingCount() + r.getDroppedCount(), MAX_ANNOUNCED_BLOBS);
        count("complaints", r.getComplaintsCount(), MAX_COMPLAINTS);
        for (PeerComplaint c : r.getComplaintsList()) {
            length("complaints.blob_id", c.getBlobId(), MAX_BLOB_ID);
            if (c.getChunk() < 0) {
                throw invalid("complaints.chunk must be below 2^31, got " + Integer.toUnsignedString(c.getChunk()));
            }
        }
    }

    /** A failure message or a complaint's reason, as it is stored and shown: cleaned of control characters, cut. */
    static String message(String text) {
        return text == null || text.isBlank() ? "(no message)" : Text.clean(text, MAX_MESSAGE);
    }

    private static void blobIds(String field, List<String> ids) {
        for (String id : ids) {
            length(field, id, MAX_BLOB_ID);
        }
    }

    private static void name(String field, String value, int max) {
        length(field, value, max);
        int at = Text.firstControl(value);
        if (at >= 0) {
            throw invalid(field + " must not hold control characters; it has U+"
                    + String.format("%04X", (int) value.charAt(at)) + " at " + at);
        }
    }

    private static void length(String field, String value, int max) {
        if (value.length() > max) {
            throw invalid(field + " must have at most " + max + " characters, got " + value.length());
        }
    }

    private static void count(String field, int count, int max) {
        if (count > max) {
            throw invalid("at most " + max + " " + field + " per call, got " + count);
        }
    }

    /** An unsigned 64-bit field: 0 to {@code max}. */
    private static void range(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw invalid(field + " must be 0 to " + max + ", got " + Long.toUnsignedString(value));
        }
    }

    private static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
