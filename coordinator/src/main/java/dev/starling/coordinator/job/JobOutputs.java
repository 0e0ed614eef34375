package dev.starling.coordinator.job;

import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.DeployedOutputs;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.coordinator.workunit.WorkUnitTable.Decided;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/jobs/{id}/outputs}: a deployed app's job's outputs, streamed in work unit order from a cursor in
 * one read-only transaction, so memory stays bounded by one output whatever the job's size. Raw, the canonical
 * standard outputs are concatenated; as ND-JSON, each decided work unit is a line ({@link DeployedOutputs#line}, or
 * {@code index} and {@code error} for one that failed). Checked before the first byte: who may see the job (as
 * {@code /result}), that it is a deployed app's, and that it has SUCCEEDED unless {@code partial} asks for what is
 * validated so far. {@code GET /api/v1/jobs/{id}/result/output} streams the output of a job's reduce step the same way.
 */
@Component
class JobOutputs {
    private static final Logger log = LoggerFactory.getLogger(JobOutputs.class);
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final JobService jobs;
    private final WorkUnitTable workUnits;
    private final TransactionTemplate readOnly;
    private final JsonMapper json;

    JobOutputs(JobService jobs, WorkUnitTable workUnits, TransactionTemplate tx, JsonMapper json) {
        this.jobs = jobs;
        this.workUnits = workUnits;
        this.readOnly = new TransactionTemplate(tx.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.json = json;
    }

    /** What the endpoint answers: its media type, and its body, to write once every check has passed. */
    record Outputs(MediaType type, Body body) {}

    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out);
    }

    Outputs outputs(long id, Caller caller, boolean partial, String format) {
        boolean ndjson = switch (format == null ? "raw" : format) {
            case "raw" -> false;
            case "ndjson" -> true;
            default -> throw new BadRequestException("format", "must be raw (the standard outputs concatenated, the"
                    + " default) or ndjson (a JSON line per work unit), got '" + format + "'");
        };
        Job job = jobs.get(id, caller);
        refuseArchived(job);
        if (!AppCatalog.isDeployed(job.app())) {
            throw new NotFoundException("job " + id + " is of the built-in app " + job.app()
                    + ", which has no outputs to stream; its result is at /api/v1/jobs/" + id + "/result");
        }
        if (job.state() != JobState.SUCCEEDED && !partial) {
            throw new ConflictException("job " + id + " is " + job.state() + "; its outputs are complete once it has"
                    + " SUCCEEDED (?partial=true streams those validated so far)");
        }
        // a deployed app's work units are its job's first stage; later ones are its reduce step's levels
        return ndjson ? new Outputs(NDJSON, out -> write(job, 0, true, out, this::writeLine))
                : new Outputs(MediaType.APPLICATION_OCTET_STREAM,
                        out -> write(job, 0, false, out, JobOutputs::writeRaw));
    }

    /**
     * {@code GET /api/v1/jobs/{id}/result/output}: the standard output of a succeeded job's reduce step (of the single
     * work unit of its last level), raw.
     */
    Outputs resultOutput(long id, Caller caller) {
        Job job = jobs.get(id, caller);
        refuseArchived(job);
        if (job.reduceApp() == null) {
            throw new NotFoundException("job " + id + " has no reduce step, so its result has no output of its own;"
                    + " its result is at /api/v1/jobs/" + id + "/result"
                    + (AppCatalog.isDeployed(job.app()) ? " and its outputs at /api/v1/jobs/" + id + "/outputs" : ""));
        }
        if (job.state() != JobState.SUCCEEDED) {
            throw new ConflictException("job " + id + " is " + job.state() + (job.state().isFinal()
                    ? " and has no result" : "; its result output exists once it has SUCCEEDED"));
        }
        return new Outputs(MediaType.APPLICATION_OCTET_STREAM, out -> write(job, job.stage(), false, out,
                JobOutputs::writeRaw));
    }

    /** A job whose work units retention purged has its outputs in its archive only: never a silently short stream. */
    private static void refuseArchived(Job job) {
        if (job.retention() != null && job.retention().summaryJson() != null) {
            throw new ConflictException("job " + job.id() + "'s work units were archived and deleted"
                    + " (starling.retention.finished-jobs): its canonical outputs are in its archive, /api/v1/jobs/"
                    + job.id() + "/archive");
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(Decided decided, OutputStream out) throws IOException;
    }

    private void write(Job job, int stage, boolean withFailed, OutputStream response, Writer writer) {
        OutputStream out = new BufferedOutputStream(response, 64 * 1024);
        readOnly.executeWithoutResult(status -> {
            try (Stream<Decided> decided = workUnits.decided(job.id(), stage, withFailed)) {
                for (Iterator<Decided> it = decided.iterator(); it.hasNext(); ) {
                    writer.write(it.next(), out);
                }
                out.flush();
            } catch (IOException e) {
                // the client went away: nothing to answer; the cursor is closed, the transaction ends
                log.debug("Outputs of job {}: the client went away ({})", job.id(), e.toString());
            }
        });
    }

    private static void writeRaw(Decided decided, OutputStream out) throws IOException {
        DeployedOutputs.writeStdout(decided.output(), out);
    }

    private void writeLine(Decided decided, OutputStream out) throws IOException {
        Map<String, Object> line;
        if (decided.failed()) {
            line = new LinkedHashMap<>();
            line.put("index", decided.index());
            line.put("error", decided.error());
        } else {
            line = DeployedOutputs.line(decided.index(), decided.output());
        }
        out.write(json.writeValueAsBytes(line));
        out.write('\n');
    }
}
