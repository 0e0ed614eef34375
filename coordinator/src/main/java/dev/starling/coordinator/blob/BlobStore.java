package dev.starling.coordinator.blob;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.Resource;

/**
 * Where blob bytes live, by content address. The file system implementation is {@link FileBlobStore}; an object
 * store could be another. Blobs are immutable, so there is no update; the blob collector deletes those nothing references.
 */
interface BlobStore {

    /**
     * Reads {@code content} to its end, computing the content address while the bytes stream past, and stores
     * it under that address. The bytes become visible under the address only once complete and durable (a
     * crash leaves either the whole blob or nothing); storing bytes already held keeps one copy. Whatever
     * {@code content} throws while being read comes through, and leaves nothing behind.
     */
    StoredBlob put(InputStream content) throws IOException;

    /** The bytes of a stored blob, for HTTP downloads (the caller knows from the database that it exists). */
    Resource resource(String id) throws IOException;

    /** {@code length} bytes of a stored blob from {@code offset}. */
    byte[] read(String id, long offset, int length) throws IOException;

    /** Deletes a blob's bytes; deleting a blob not held does nothing. */
    void delete(String id) throws IOException;
}
