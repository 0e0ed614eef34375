package dev.starling.coordinator.blob;

import dev.starling.sdk.ContentAddress;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
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
 * to the blob id, before it uses them. Refusals are the worker protocol's statuses, as problems.
 */
@Hidden // the worker protocol for browsers (docs/protocol.md), not the REST API of the OpenAPI document
@RestController
@RequestMapping("/api/v1/browser/blobs")
class BrowserBlobController {
    static final String FETCH_TOKEN = "Starling-Fetch-Token";

    private final FetchAuthorization access;
    private final BlobService blobs;

    BrowserBlobController(FetchAuthorization access, BlobService blobs) {
        this.access = access;
        this.blobs = blobs;
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
            @RequestHeader(value = FETCH_TOKEN, required = false) String token) throws IOException {
        access.authorize(blobId, token);
        Blob blob = access.stored(blobId);
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .eTag("\"" + blob.id() + "\"")
                // content-addressed, and each read needs a token: a browser keeps it, shared caches do not
                .cacheControl(CacheControl.maxAge(365, TimeUnit.DAYS).cachePrivate().immutable())
                .body(blobs.content(blob));
    }

    /** A blob's manifest: its size as a string (an int64 in protobuf's JSON form), its chunks' hashes in hex. */
    record Manifest(String blobId, String size, int chunkSize, List<String> chunks) {}
}
