package dev.starling.coordinator.blob;

import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.proto.v1.FetchGrant;
import dev.starling.sdk.ContentAddress;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.AbstractResource;
import org.springframework.core.io.Resource;
import org.springframework.dao.DataAccessException;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Blobs for browser hosts (docs/protocol.md, "Browser hosts"), which speak no gRPC: a blob's manifest and its bytes
 * over HTTP, for a caller holding a fetch token that grants it ({@code Starling-Fetch-Token}, the
 * {@code BlobSource.token} of the task reading it), checked as PeerService checks it ({@link FetchAuthorization}). The
 * bytes answer {@code Range} requests (206); the page checks each chunk against the manifest's hashes, and those up
 * to the blob id, before it uses them. Refusals are the worker protocol's statuses, as problems. The bytes served are
 * counted for the job the token names ({@link TransferLedger}), as PeerService counts what it streams.
 */
@Hidden // the worker protocol for browsers (docs/protocol.md), not the REST API of the OpenAPI document
@RestController
@RequestMapping("/api/v1/browser/blobs")
class BrowserBlobController {
    private static final Logger log = LoggerFactory.getLogger(BrowserBlobController.class);
    static final String FETCH_TOKEN = "Starling-Fetch-Token";

    private final FetchAuthorization access;
    private final BlobService blobs;
    private final TransferLedger ledger;

    BrowserBlobController(FetchAuthorization access, BlobService blobs, TransferLedger ledger) {
        this.access = access;
        this.blobs = blobs;
        this.ledger = ledger;
    }

    /** The blob's size, chunk size and the SHA-256 of each chunk (hex), as PeerService's GetManifest has them. */
    @GetMapping("/{blobId}/manifest")
    Manifest manifest(@PathVariable String blobId, @RequestHeader(value = FETCH_TOKEN, required = false) String token) {
        access.authorize(blobId, token);
        Blob blob = access.stored(blobId);
        List<String> chunks = new ArrayList<>(blob.chunkCount());
        for (int i = 0; i < blob.chunkCount(); i++) {
            chunks.add(HexFormat.of().formatHex(blob.leaf(i)));
        }
        return new Manifest(blob.id(), Long.toString(blob.size()), ContentAddress.CHUNK_SIZE, chunks);
    }

    /** The blob's bytes; one range or several ({@code Range: bytes=a-b}) are answered 206, none that fits 416. */
    @GetMapping("/{blobId}")
    ResponseEntity<Resource> content(@PathVariable String blobId,
            @RequestHeader(value = FETCH_TOKEN, required = false) String token, HttpServletRequest request)
            throws IOException {
        FetchGrant grant = access.authorize(blobId, token);
        Blob blob = access.stored(blobId);
        Resource content = blobs.content(blob);
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .eTag("\"" + blob.id() + "\"")
                // content-addressed, and each read needs a token: a browser keeps it, shared caches do not
                .cacheControl(CacheControl.maxAge(365, TimeUnit.DAYS).cachePrivate().immutable())
                // a HEAD request reads nothing; an answer not modified (If-None-Match) never opens the resource
                .body("HEAD".equals(request.getMethod()) ? content : new Counted(content, grant.getJobId()));
    }

    /**
     * A blob's bytes that, as each read of them (the whole blob, or a range) ends, complete, failed or cut off, record
     * what was read for the job in the ledger: what the servlet was handed to send, as PeerService counts the chunks
     * it hands gRPC.
     */
    private final class Counted extends AbstractResource {
        private final Resource bytes;
        private final long jobId;

        Counted(Resource bytes, long jobId) {
            this.bytes = bytes;
            this.jobId = jobId;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new FilterInputStream(bytes.getInputStream()) {
                private long read;
                private boolean closed;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    read += b < 0 ? 0 : 1;
                    return b;
                }

                @Override
                public int read(byte[] into, int offset, int length) throws IOException {
                    int n = super.read(into, offset, length);
                    read += Math.max(n, 0);
                    return n;
                }

                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        if (!closed) {
                            closed = true;
                            record(jobId, read);
                        }
                    }
                }
            };
        }

        @Override
        public long contentLength() throws IOException {
            return bytes.contentLength();
        }

        @Override
        public String getDescription() {
            return bytes.getDescription();
        }
    }

    private void record(long jobId, long bytes) {
        try {
            ledger.record(jobId, bytes, 0);
        } catch (DataAccessException | TransactionException e) {
            log.warn("Could not record {} bytes served to a browser for job {}: {}", bytes, jobId, e.toString());
        }
    }

    /** A blob's manifest: its size as a string (an int64 in protobuf's JSON form), its chunks' hashes in hex. */
    record Manifest(String blobId, String size, int chunkSize, List<String> chunks) {}
}
