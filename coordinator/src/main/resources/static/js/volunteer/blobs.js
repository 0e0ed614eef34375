// Modules and input files, fetched from the coordinator and verified before use: the manifest's leaf hashes must
// hash up to the blob id (a binary SHA-256 Merkle tree over 1 MiB chunks: parent = SHA-256(left || right), an odd
// last node promoted; docs/protocol.md), and every chunk must hash to its leaf. Verified blobs are kept in the
// browser's Cache Storage by content address, so a module is fetched once per browser, not once per task.
import { HostApi } from './api.js';

const CHUNK_SIZE = 1 << 20;
const CHUNKS_PER_REQUEST = 4;
const CACHE = 'starling-blobs-v1';
const BLOB_ID = /^sha256:[0-9a-f]{64}$/;

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text) => Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));

/** A blob that failed verification or could not be fetched: the task is given back. */
export class BlobError extends Error {}

/** The Merkle root of the leaf hashes, as ContentAddress.root computes it. */
export async function merkleRoot(leaves) {
    let level = leaves;
    while (level.length > 1) {
        const next = [];
        for (let i = 0; i + 1 < level.length; i += 2) {
            const pair = new Uint8Array(64);
            pair.set(level[i], 0);
            pair.set(level[i + 1], 32);
            next.push(await sha256(pair));
        }
        if (level.length % 2 === 1) {
            next.push(level[level.length - 1]);
        }
        level = next;
    }
    return level[0];
}

/** The content address of bytes: the Merkle root over their 1 MiB chunks. */
export async function contentAddress(bytes) {
    const leaves = [];
    let offset = 0;
    do {
        leaves.push(await sha256(bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK_SIZE))));
        offset += CHUNK_SIZE;
    } while (offset < bytes.length);
    return 'sha256:' + hex(await merkleRoot(leaves));
}

async function cached(blobId) {
    if (typeof caches === 'undefined') {
        return null;
    }
    const cache = await caches.open(CACHE);
    const response = await cache.match('/blob-cache/' + blobId);
    if (!response) {
        return null;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (await contentAddress(bytes) !== blobId) { // storage can rot: check again, drop what fails
        await cache.delete('/blob-cache/' + blobId);
        return null;
    }
    return bytes;
}

async function keep(blobId, bytes) {
    if (typeof caches !== 'undefined') {
        try {
            const cache = await caches.open(CACHE);
            await cache.put('/blob-cache/' + blobId, new Response(bytes));
        } catch (e) {
            // out of quota: the blob is fetched again next time
        }
    }
}

/**
 * A blob's verified bytes: from the cache, or fetched from the coordinator with the task's fetch token.
 *
 * @param source the task's BlobSource JSON ({blobId, size, token})
 * @param maxBytes the most bytes this blob may have
 */
export async function fetchBlob(source, maxBytes) {
    const blobId = source.blobId;
    if (!BLOB_ID.test(blobId || '')) {
        throw new BlobError('the task names a malformed blob id');
    }
    const kept = await cached(blobId);
    if (kept) {
        return kept;
    }
    let manifest;
    try {
        manifest = await (await HostApi.blob(encodeURIComponent(blobId) + '/manifest', source.token)).json();
    } catch (e) {
        throw new BlobError('the manifest of ' + blobId + ' could not be fetched: ' + e.message);
    }
    const size = Number(manifest.size);
    const count = Math.max(1, Math.ceil(size / CHUNK_SIZE));
    if (manifest.blobId !== blobId || !Number.isSafeInteger(size) || size < 0 || size > maxBytes
            || manifest.chunkSize !== CHUNK_SIZE || !Array.isArray(manifest.chunks) || manifest.chunks.length !== count
            || !manifest.chunks.every((c) => /^[0-9a-f]{64}$/.test(c))) {
        throw new BlobError('the manifest of ' + blobId + ' does not describe it (or it is larger than '
            + maxBytes + ' bytes)');
    }
    const leaves = manifest.chunks.map(fromHex);
    if ('sha256:' + hex(await merkleRoot(leaves)) !== blobId) {
        throw new BlobError('the chunk hashes of ' + blobId + ' do not hash up to its id');
    }
    const bytes = new Uint8Array(size);
    for (let first = 0; first < count; first += CHUNKS_PER_REQUEST) {
        const last = Math.min(count, first + CHUNKS_PER_REQUEST) - 1;
        const from = first * CHUNK_SIZE;
        const to = Math.min(size, (last + 1) * CHUNK_SIZE);
        let part;
        try {
            const response = await HostApi.blob(encodeURIComponent(blobId), source.token,
                size === 0 ? null : [from, to - 1]);
            part = new Uint8Array(await response.arrayBuffer());
        } catch (e) {
            throw new BlobError(blobId + ' could not be fetched: ' + e.message);
        }
        if (part.length !== to - from) {
            throw new BlobError(blobId + ': the coordinator sent ' + part.length + ' bytes for ' + (to - from));
        }
        for (let i = first; i <= last; i++) {
            const chunk = part.subarray((i - first) * CHUNK_SIZE, Math.min(part.length, (i - first + 1) * CHUNK_SIZE));
            if (hex(await sha256(chunk)) !== manifest.chunks[i]) {
                throw new BlobError('chunk ' + i + ' of ' + blobId + ' does not match its hash');
            }
        }
        bytes.set(part, from);
    }
    await keep(blobId, bytes);
    return bytes;
}
