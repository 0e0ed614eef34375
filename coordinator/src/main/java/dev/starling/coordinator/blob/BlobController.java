package dev.starling.coordinator.blob;

import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.web.UnsupportedMediaTypeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Uploading and downloading blobs. An upload's body is the blob's raw bytes, of any content type; a download
 * answers {@code Range} requests (one range: 206 with Content-Range; several: multipart/byteranges; none that
 * fits: 416), and {@code HEAD} tells the size.
 */
@RestController
@RequestMapping("/api/v1/blobs")
class BlobController {
    private final BlobService blobs;

    BlobController(BlobService blobs) {
        this.blobs = blobs;
    }

    /** The body is read from the request as it arrives (multipart parsing is switched off in application.properties). */
    @ResponseStatus(HttpStatus.CREATED)
    @PostMapping
    ResponseEntity<BlobView> upload(HttpServletRequest request, Caller caller) throws IOException {
        String type = request.getContentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            throw new UnsupportedMediaTypeException("send the blob's bytes as the request body (curl --data-binary @file),"
                    + " not as a multipart form");
        }
        Blob blob = blobs.upload(request.getInputStream(), request.getContentLengthLong(), caller);
        return ResponseEntity.created(URI.create("/api/v1/blobs/" + blob.id())).body(BlobView.of(blob));
    }

    @GetMapping("/{id}")
    ResponseEntity<Resource> download(@PathVariable String id, Caller caller) throws IOException {
        Blob blob = blobs.get(id, caller);
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .eTag("\"" + blob.id() + "\"")
                // content-addressed: the bytes under this URL never change; private: only those who uploaded them may read
                .cacheControl(CacheControl.maxAge(365, TimeUnit.DAYS).cachePrivate().immutable())
                .body(blobs.content(blob));
    }

    record BlobView(String id, long size) {
        static BlobView of(Blob blob) {
            return new BlobView(blob.id(), blob.size());
        }
    }
}
