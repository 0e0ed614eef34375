package dev.starling.coordinator.job;

import dev.starling.coordinator.blob.Blob;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/jobs")
class JobController {
    private final JobService jobs;
    private final JobOutputs outputs;
    private final BlobService blobs;

    JobController(JobService jobs, JobOutputs outputs, BlobService blobs) {
        this.jobs = jobs;
        this.blobs = blobs;
        this.outputs = outputs;
    }

    @ResponseStatus(HttpStatus.CREATED)
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobView> submit(@RequestBody SubmitJobRequest request, Caller caller) {
        Job job = jobs.submit(request, caller);
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + job.id())).body(jobs.view(job.id(), caller));
    }

    @GetMapping
    Page<JobView> list(@RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "20") int size, Caller caller) {
        Paging.check(page, size);
        return jobs.page(page, size, caller);
    }

    @GetMapping("/{id}")
    JobView get(@PathVariable long id, Caller caller) {
        return jobs.view(id, caller);
    }

    @GetMapping(value = "/{id}/result", produces = MediaType.APPLICATION_JSON_VALUE)
    String result(@PathVariable long id, Caller caller) {
        return jobs.result(id, caller);
    }

    /**
     * A deployed app's job's outputs, written to the response as the cursor reads them (in the request's thread: no
     * asynchronous request timeout cuts a long download). No {@code produces}: a refusal is problem+json whatever
     * the client accepts.
     */
    @GetMapping("/{id}/outputs")
    @ApiResponse(responseCode = "200", description = "the outputs, raw or as ND-JSON (format=ndjson)", content = {
        @Content(mediaType = "application/octet-stream"), @Content(mediaType = "application/x-ndjson")})
    void outputs(@PathVariable long id, @RequestParam(defaultValue = "false") boolean partial,
            @RequestParam(required = false) String format, Caller caller, HttpServletResponse response)
            throws IOException {
        JobOutputs.Outputs answer = outputs.outputs(id, caller, partial, format);
        response.setContentType(answer.type().toString());
        answer.body().writeTo(response.getOutputStream());
    }

    /** The output of a job's reduce step, raw: the job's result (its size, SHA-256 and encoding are in /result). */
    @GetMapping("/{id}/result/output")
    @ApiResponse(responseCode = "200", description = "the reduce step's standard output, raw",
            content = @Content(mediaType = "application/octet-stream"))
    void resultOutput(@PathVariable long id, Caller caller, HttpServletResponse response) throws IOException {
        JobOutputs.Outputs answer = outputs.resultOutput(id, caller);
        response.setContentType(answer.type().toString());
        answer.body().writeTo(response.getOutputStream());
    }

    /**
     * Drops a finished job now: it is gone from the API at once (404 from then on), and its work units, replicas and
     * archive are deleted in the background. A queued or running job is a 409: cancel it first.
     */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable long id, Caller caller) {
        jobs.delete(id, caller);
    }

    /**
     * The archive of a job whose work units and replicas retention purged: gzip-compressed JSON lines (the job, then
     * each work unit with its canonical output and its replicas), as described in docs/api.md.
     */
    @GetMapping("/{id}/archive")
    @ApiResponse(responseCode = "200", description = "the archive, gzip-compressed JSON lines",
            content = @Content(mediaType = "application/gzip"))
    ResponseEntity<Resource> archive(@PathVariable long id, Caller caller) throws IOException {
        Blob blob = blobs.find(jobs.archiveBlob(id, caller)).orElseThrow(
                () -> new NotFoundException("the archive of job " + id + " is no longer stored"));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/gzip"))
                .contentLength(blob.size())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("job-" + id + ".jsonl.gz").build().toString())
                .body(new InputStreamResource(blobs.open(blob.id())));
    }

    @PostMapping("/{id}/cancel")
    JobView cancel(@PathVariable long id, Caller caller) {
        jobs.cancel(id, caller);
        return jobs.view(id, caller);
    }
}
