// WASI preview 1 for a deployed app's task in the browser: the same contract as the Java worker's sandbox
// (task-sdk/wasm: WasmSandbox, DeterministicWasi, and Chicory's WasiPreview1 over an in-memory Jimfs), so that the
// same module and work unit give the same bytes in a tab and on a Java worker.
//
// What is matched, and why it matters for byte-identical output:
// - fds 0, 1, 2 are standard input, output and error (not terminals: wasi-libc then buffers stdout fully, as on the
//   Java worker); fd 3 is the only preopen, "/", holding /input, /output, /checkpoint and /work (Jimfs's working
//   directory) and the task's scratch files. New fds take the lowest free number.
// - Paths are resolved as Chicory does: absolute paths and paths that leave the preopen ("..") are refused (EPERM for
//   path_open, EACCES otherwise), "." and ".." are folded first.
// - Inode numbers count up from 0 in the order files are made (/ 0, /work 1, /input 2, /output 3, /checkpoint 4, then
//   the input files in name order, then the checkpoint files, then whatever the module makes); every file time is
//   2024-01-01T00:00:00Z; directories list "." and ".." first, then their entries in name order.
// - Clocks, random_get and poll_oneoff are DeterministicWasi's: virtual time advancing 1 us per clock read, SplitMix64
//   bytes from the seed, no waiting.
// - Files take 8 KiB blocks from a disk of (input bytes + scratchBytes + 64 blocks), as Jimfs does; a write that finds
//   the disk full stops the task with SCRATCH_LIMIT. Standard output past maxOutputBytes stops it with OUTPUT_LIMIT.

export const EPOCH_SECONDS = 1704067200n;
const TICK_NANOS = 1000n;
const FILE_TIME = EPOCH_SECONDS * 1000000000n;
const BLOCK = 8192;
const STDERR_TAIL_BYTES = 4096;

const E = {
    SUCCESS: 0, ACCES: 2, BADF: 8, EXIST: 20, INVAL: 28, IO: 29, ISDIR: 31, NAMETOOLONG: 37, NOENT: 44,
    NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSOCK: 57, NOTSUP: 58, PERM: 63, SPIPE: 70, NOTCAPABLE: 76,
};
const FILETYPE = { UNKNOWN: 0, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4 };
const RIGHT = { FD_READ: 1n << 1n, FD_WRITE: 1n << 6n };
const bit = (n) => 1n << BigInt(n);
const FILE_RIGHTS_BASE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 21, 22, 23, 27].reduce((a, n) => a | bit(n), 0n);
const DIRECTORY_RIGHTS_BASE = [0, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27]
    .reduce((a, n) => a | bit(n), 0n);
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 };
const FDFLAGS_APPEND = 1;

/** Stops a running task from inside a host function, with the status and message it ends with. */
export class Stop extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}

/** proc_exit. */
export class Exit extends Error {
    constructor(code) {
        super('exit ' + code);
        this.code = code;
    }
}

/** A WASI call Chicory does not support either: a trap there, a trap here. */
export class Unsupported extends Error {}

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The task's in-memory file system: Jimfs's numbering, times and block accounting. */
class Disk {
    constructor(maxBytes) {
        this.maxBlocks = Math.floor(maxBytes / BLOCK);
        this.usedBlocks = 0;
        this.nextId = 0;
        this.root = this.directory(null);
    }

    directory(parent) {
        const dir = { id: this.nextId++, dir: true, entries: new Map(), parent: null };
        dir.parent = parent || dir;
        return dir;
    }

    file() {
        return { id: this.nextId++, dir: false, data: new Uint8Array(0), size: 0, blocks: 0 };
    }

    /** Grows or shrinks a file's block count to hold {@code size} bytes; false when the disk is full. */
    reserve(file, size) {
        const blocks = Math.ceil(size / BLOCK);
        if (blocks > file.blocks) {
            if (this.usedBlocks + blocks - file.blocks > this.maxBlocks) {
                return false;
            }
        }
        this.usedBlocks += blocks - file.blocks;
        file.blocks = blocks;
        if (size > file.data.length) {
            const grown = new Uint8Array(Math.max(size, 2 * file.data.length));
            grown.set(file.data.subarray(0, file.size));
            file.data = grown;
        }
        return true;
    }

    full() {
        return this.maxBlocks - this.usedBlocks < 1;
    }

    release(file) {
        this.usedBlocks -= file.blocks;
        file.blocks = 0;
    }
}

/** Folds "." and ".." of a relative path as Jimfs normalizes it; null when it is absolute or leaves the root. */
function normalize(raw) {
    if (raw.startsWith('/') || raw.includes('\0')) {
        return null;
    }
    const parts = [];
    for (const part of raw.split('/')) {
        if (part === '' || part === '.') {
            continue;
        }
        if (part === '..') {
            if (parts.length === 0) {
                return null;
            }
            parts.pop();
        } else {
            parts.push(part);
        }
    }
    return parts;
}

/**
 * The WASI imports of one task.
 *
 * @param task {args, stdin: Uint8Array, files: [[name, Uint8Array]] in name order, checkpoint: same, seed: BigInt,
 *     deterministic, limits: {maxOutputBytes, scratchBytes}}
 * @param hooks {safepoint(), memory()}: the task's pause point (called in every WASI call) and its memory
 */
export class Wasi {
    constructor(task, hooks) {
        this.hooks = hooks;
        this.args = [encoder.encode('app'), ...task.args.map((a) => encoder.encode(a))];
        const inputBytes = [...task.files, ...task.checkpoint].reduce((n, [, bytes]) => n + bytes.length, 0);
        this.disk = new Disk(inputBytes + task.limits.scratchBytes + 64 * BLOCK);
        const root = this.disk.root;
        for (const name of ['work', 'input', 'output', 'checkpoint']) {
            root.entries.set(name, this.disk.directory(root));
        }
        for (const [folder, files] of [['input', task.files], ['checkpoint', task.checkpoint]]) {
            for (const [name, bytes] of files) {
                const file = this.disk.file();
                this.disk.reserve(file, bytes.length);
                file.data.set(bytes);
                file.size = bytes.length;
                root.entries.get(folder).entries.set(name, file);
            }
            this.sort(root.entries.get(folder));
        }
        this.sort(root);
        this.stdin = task.stdin;
        this.stdinPos = 0;
        this.stdout = new Uint8Array(Math.min(task.limits.maxOutputBytes, 1 << 16));
        this.stdoutSize = 0;
        this.maxOutputBytes = task.limits.maxOutputBytes;
        this.scratchBytes = task.limits.scratchBytes;
        this.stderr = new Uint8Array(STDERR_TAIL_BYTES);
        this.stderrWritten = 0;
        this.fds = [{ kind: 'in' }, { kind: 'out' }, { kind: 'err' }, { kind: 'dir', node: root, preopen: '/' }];
        this.deterministic = task.deterministic;
        this.virtualNanos = 0n;
        this.randomState = BigInt.asUintN(64, task.seed);
        this.randomWord = 0n;
        this.randomLeft = 0;
    }

    /** Standard output so far. */
    output() {
        return this.stdout.slice(0, this.stdoutSize);
    }

    /** The files under /output, path relative to it, in name order (as the Java runner's TreeMap). */
    outputFiles() {
        const files = [];
        const walk = (dir, prefix) => {
            for (const [name, node] of dir.entries) {
                if (node.dir) {
                    walk(node, prefix + name + '/');
                } else {
                    files.push([prefix + name, node.data.slice(0, node.size)]);
                }
            }
        };
        walk(this.disk.root.entries.get('output'), '');
        return files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    }

    /** The end of standard error as text: from a line start when cut, malformed UTF-8 and NUL replaced. */
    stderrTail() {
        let kept;
        const ring = this.stderr;
        if (this.stderrWritten <= ring.length) {
            kept = ring.slice(0, this.stderrWritten);
        } else {
            const start = this.stderrWritten % ring.length;
            kept = new Uint8Array(ring.length);
            kept.set(ring.subarray(start), 0);
            kept.set(ring.subarray(0, start), ring.length - start);
            const newline = kept.indexOf(10);
            if (newline >= 0 && newline < kept.length - 1) {
                kept = kept.subarray(newline + 1);
            }
        }
        return utf8.decode(kept).replaceAll('\0', '\uFFFD');
    }

    // --- memory access

    view() {
        return new DataView(this.hooks.memory().buffer);
    }

    bytes(at, length) {
        return new Uint8Array(this.hooks.memory().buffer, at, length);
    }

    string(at, length) {
        return utf8.decode(this.bytes(at, length));
    }

    // --- the descriptors

    allocate(fd) {
        for (let i = 0; i < this.fds.length; i++) {
            if (this.fds[i] === null) {
                this.fds[i] = fd;
                return i;
            }
        }
        this.fds.push(fd);
        return this.fds.length - 1;
    }

    fd(n) {
        return n >= 0 && n < this.fds.length ? this.fds[n] : null;
    }

    /** The node a path names from a directory fd: {error} or {node, parent, name}. */
    lookup(dirFd, rawPath, refused) {
        const dir = this.fd(dirFd);
        if (dir === null) {
            return { error: E.BADF };
        }
        if (dir.kind !== 'dir') {
            return { error: E.NOTDIR };
        }
        const parts = normalize(rawPath);
        if (parts === null) {
            return { error: refused };
        }
        let parent = null;
        let node = dir.node;
        let name = null;
        for (const part of parts) {
            if (node === null || !node.dir) {
                return { error: E.NOENT, missingParent: true };
            }
            parent = node;
            name = part;
            node = node.entries.get(part) || null;
        }
        return { node, parent, name };
    }

    writeFilestat(at, node) {
        const v = this.view();
        if (node === null) { // a stream: a character device, all zero
            this.bytes(at, 64).fill(0);
            v.setUint8(at + 16, FILETYPE.CHARACTER_DEVICE);
            v.setBigUint64(at + 24, 1n, true);
            return;
        }
        v.setBigUint64(at, 1n, true);
        v.setBigUint64(at + 8, BigInt(node.id), true);
        this.bytes(at + 16, 8).fill(0);
        v.setUint8(at + 16, node.dir ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
        v.setBigUint64(at + 24, BigInt(this.links(node)), true);
        v.setBigUint64(at + 32, BigInt(node.dir ? 0 : node.size), true);
        v.setBigUint64(at + 40, FILE_TIME, true);
        v.setBigUint64(at + 48, FILE_TIME, true);
        v.setBigUint64(at + 56, FILE_TIME, true);
    }

    /** Jimfs's link count: a file's names; a directory's entry, its "." and its subdirectories' "..". */
    links(node) {
        if (!node.dir) {
            return 1;
        }
        let n = 2;
        for (const child of node.entries.values()) {
            if (child.dir) {
                n++;
            }
        }
        return n;
    }

    // --- writing to files and streams

    writeTo(fd, data, position) {
        if (fd.kind === 'out') {
            if (data.length > this.maxOutputBytes - this.stdoutSize) {
                throw new Stop('OUTPUT_LIMIT', 'the module wrote more than the task\'s limit of '
                    + this.maxOutputBytes + ' bytes to standard output (maxOutputBytes)');
            }
            if (this.stdoutSize + data.length > this.stdout.length) {
                const grown = new Uint8Array(Math.min(this.maxOutputBytes,
                    Math.max(this.stdoutSize + data.length, 2 * this.stdout.length)));
                grown.set(this.stdout.subarray(0, this.stdoutSize));
                this.stdout = grown;
            }
            this.stdout.set(data, this.stdoutSize);
            this.stdoutSize += data.length;
            return data.length;
        }
        if (fd.kind === 'err') {
            const ring = this.stderr;
            const skip = Math.max(0, data.length - ring.length);
            this.stderrWritten += skip;
            for (let i = skip; i < data.length; i++) {
                ring[this.stderrWritten++ % ring.length] = data[i];
            }
            return data.length;
        }
        const file = fd.node;
        const at = position === undefined ? (fd.append ? file.size : fd.pos) : position;
        const end = at + data.length;
        if (end > file.size) {
            if (!this.disk.reserve(file, end)) {
                if (this.disk.full()) { // Jimfs's IOException, then WasmSandbox's check: less than a block left
                    throw new Stop('SCRATCH_LIMIT', 'the task\'s files reached their limit of ' + this.scratchBytes
                        + ' bytes (scratch and /output together)');
                }
                return -E.IO;
            }
            if (at > file.size) {
                file.data.fill(0, file.size, at);
            }
            file.size = end;
        }
        file.data.set(data, at);
        if (position === undefined) {
            fd.pos = end;
        }
        return data.length;
    }

    // --- the imports

    imports() {
        const w = this;
        const call = (f) => (...args) => {
            w.hooks.safepoint();
            return f(...args);
        };
        const unsupported = (name) => () => {
            throw new Unsupported('We don\'t yet support this WASI call: ' + name);
        };
        const functions = {
            adapter_close_badfd: unsupported('adapter_close_badfd'),
            adapter_open_badfd: unsupported('adapter_open_badfd'),
            args_get(argv, buf) {
                const v = w.view();
                for (const arg of w.args) {
                    v.setUint32(argv, buf, true);
                    argv += 4;
                    w.bytes(buf, arg.length).set(arg);
                    buf += arg.length;
                    v.setUint8(buf++, 0);
                }
                return E.SUCCESS;
            },
            args_sizes_get(argc, size) {
                const v = w.view();
                v.setUint32(argc, w.args.length, true);
                v.setUint32(size, w.args.reduce((n, a) => n + a.length + 1, 0), true);
                return E.SUCCESS;
            },
            environ_get: () => E.SUCCESS,
            environ_sizes_get(count, size) {
                const v = w.view();
                v.setUint32(count, 0, true);
                v.setUint32(size, 0, true);
                return E.SUCCESS;
            },
            clock_res_get: (id, at) => w.clockRes(id, at),
            clock_time_get: (id, precision, at) => w.clockTime(id, at),
            random_get: (at, length) => w.random(at, length),
            poll_oneoff: (inPtr, outPtr, count, eventsPtr) => w.poll(inPtr, outPtr, count, eventsPtr),
            sched_yield: () => E.SUCCESS,
            proc_exit(code) {
                throw new Exit(code);
            },
            proc_raise: unsupported('proc_raise'),
            fd_advise(n, offset, length) {
                if (length < 0n || offset < 0n) {
                    return E.INVAL;
                }
                return w.fileOnly(n, E.SPIPE) ?? E.SUCCESS;
            },
            fd_allocate(n, offset, length) {
                if (length <= 0n || offset < 0n) {
                    return E.INVAL;
                }
                const refused = w.fileOnly(n, E.INVAL);
                if (refused !== null) {
                    return refused;
                }
                const fd = w.fds[n];
                const size = Number(offset + length);
                if (size > fd.node.size) {
                    return w.setSize(fd, size);
                }
                return E.SUCCESS;
            },
            fd_close(n) {
                if (w.fd(n) === null) {
                    return E.BADF;
                }
                w.fds[n] = null;
                return E.SUCCESS;
            },
            fd_datasync: (n) => w.sync(n),
            fd_sync: (n) => w.sync(n),
            fd_fdstat_get(n, at) {
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                let type;
                let flags = 0;
                let base;
                let inheriting = 0n;
                if (fd.kind === 'in') {
                    type = FILETYPE.UNKNOWN;
                    base = RIGHT.FD_READ;
                } else if (fd.kind === 'out' || fd.kind === 'err') {
                    type = FILETYPE.UNKNOWN;
                    base = RIGHT.FD_WRITE;
                } else if (fd.kind === 'dir') {
                    type = FILETYPE.DIRECTORY;
                    base = DIRECTORY_RIGHTS_BASE;
                    inheriting = base | FILE_RIGHTS_BASE;
                } else {
                    type = FILETYPE.REGULAR_FILE;
                    base = fd.rights & FILE_RIGHTS_BASE;
                    flags = fd.fdFlags;
                }
                const v = w.view();
                w.bytes(at, 8).fill(0);
                v.setUint8(at, type);
                v.setUint16(at + 2, flags, true);
                v.setBigUint64(at + 8, base, true);
                v.setBigUint64(at + 16, inheriting, true);
                return E.SUCCESS;
            },
            fd_fdstat_set_flags(n, flags) {
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                if (fd.kind === 'in' || fd.kind === 'out' || fd.kind === 'err') {
                    return E.INVAL;
                }
                if (fd.kind === 'dir') {
                    return E.SUCCESS;
                }
                return flags !== fd.fdFlags ? E.NOTSUP : E.SUCCESS;
            },
            fd_fdstat_set_rights: () => E.NOTSUP,
            fd_filestat_get(n, at) {
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                w.writeFilestat(at, fd.node || null);
                return E.SUCCESS;
            },
            fd_filestat_set_size(n, size) {
                const refused = w.fileOnly(n, E.INVAL);
                return refused !== null ? refused : w.setSize(w.fds[n], Number(size));
            },
            fd_filestat_set_times(n) {
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                return fd.node ? E.SUCCESS : E.INVAL; // the times stay the epoch: Jimfs's time source is fixed
            },
            fd_pread(n, iovs, count, offset, nreadPtr) {
                if (offset < 0n) {
                    return E.INVAL;
                }
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                if (fd.kind === 'in') {
                    return E.SPIPE;
                }
                if (fd.kind === 'out' || fd.kind === 'err') {
                    return E.BADF;
                }
                if (fd.kind === 'dir') {
                    return E.ISDIR;
                }
                return w.readInto(fd, iovs, count, nreadPtr, Number(offset));
            },
            fd_pwrite(n, iovs, count, offset, nwrittenPtr) {
                if (offset < 0n) {
                    return E.INVAL;
                }
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                if (fd.kind === 'in') {
                    return E.SPIPE;
                }
                if (fd.kind === 'dir') {
                    return E.ISDIR;
                }
                return w.writeFrom(fd, iovs, count, nwrittenPtr, fd.kind === 'file' ? Number(offset) : undefined);
            },
            fd_prestat_get(n, at) {
                const fd = w.fd(n);
                if (fd === null || !fd.preopen) {
                    return E.BADF;
                }
                const v = w.view();
                v.setUint32(at, 0, true);
                v.setUint32(at + 4, 1, true);
                return E.SUCCESS;
            },
            fd_prestat_dir_name(n, at, length) {
                const fd = w.fd(n);
                if (fd === null || !fd.preopen) {
                    return E.BADF;
                }
                if (length < 1) {
                    return E.NAMETOOLONG;
                }
                w.bytes(at, 1)[0] = 0x2f;
                return E.SUCCESS;
            },
            fd_read(n, iovs, count, nreadPtr) {
                const fd = w.fd(n);
                if (fd === null) {
                    return E.BADF;
                }
                if (fd.kind === 'out' || fd.kind === 'err') {
                    return E.BADF;
                }
                if (fd.kind === 'dir') {
                    return E.ISDIR;
                }
                return w.readInto(fd, iovs, count, nreadPtr, undefined);
            },
            fd_readdir: (n, buf, length, cookie, usedPtr) => w.readdir(n, buf, length, cookie, usedPtr),
            fd_renumber(from, to) {
                const fd = w.fd(from);
                if (fd === null) {
                    return E.BADF;
                }
                if (from === to) {
                    return E.SUCCESS;
                }
                if (w.fd(to) === null) {
                    return E.BADF;
                }
                w.fds[from] = null;
                w.fds[to] = fd;
                return E.SUCCESS;
            },
            fd_seek(n, offset, whence, at) {
                if (whence < 0 || whence > 2) {
                    return E.INVAL;
                }
                const refused = w.fileOnly(n, E.SPIPE);
                if (refused !== null) {
                    return refused;
                }
                const fd = w.fds[n];
                const base = whence === 0 ? 0 : whence === 1 ? fd.pos : fd.node.size;
                const position = BigInt(base) + offset;
                if (position < 0n) {
                    return E.INVAL;
                }
                fd.pos = Number(position);
                w.view().setBigUint64(at, position, true);
                return E.SUCCESS;
            },
            fd_tell(n, at) {
                const refused = w.fileOnly(n, E.SPIPE);
                if (refused !== null) {
                    return refused;
                }
                w.view().setBigUint64(at, BigInt(w.fds[n].pos), true);
                return E.SUCCESS;
            },
            fd_write(n, iovs, count, nwrittenPtr) {
                const fd = w.fd(n);
                if (fd === null || fd.kind === 'in') {
                    return E.BADF;
                }
                if (fd.kind === 'dir') {
                    return E.ISDIR;
                }
                return w.writeFrom(fd, iovs, count, nwrittenPtr, undefined);
            },
            path_create_directory(n, at, length) {
                const found = w.lookup(n, w.string(at, length), E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                if (found.node !== null) {
                    return E.EXIST;
                }
                if (found.parent === null || !found.parent.dir) {
                    return E.NOENT;
                }
                found.parent.entries.set(found.name, w.disk.directory(found.parent));
                w.sort(found.parent);
                return E.SUCCESS;
            },
            path_filestat_get(n, flags, at, length, buf) {
                const found = w.lookup(n, w.string(at, length), E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                if (found.node === null) {
                    return E.NOENT;
                }
                w.writeFilestat(buf, found.node);
                return E.SUCCESS;
            },
            path_filestat_set_times(n, flags, at, length) {
                const found = w.lookup(n, w.string(at, length), E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                return found.node === null ? E.IO : E.SUCCESS;
            },
            path_link: () => E.NOTSUP,
            path_open: (...args) => w.open(...args),
            path_readlink(n, at, length) {
                const found = w.lookup(n, w.string(at, length), E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                return found.node === null ? E.NOENT : E.INVAL; // no symbolic links exist
            },
            path_remove_directory(n, at, length) {
                const found = w.lookup(n, w.string(at, length), E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                if (found.node === null) {
                    return E.NOENT;
                }
                if (!found.node.dir) {
                    return E.NOTDIR;
                }
                if (found.node.entries.size > 0) {
                    return E.NOTEMPTY;
                }
                if (found.parent === null) {
                    return E.IO; // the root
                }
                found.parent.entries.delete(found.name);
                return E.SUCCESS;
            },
            path_rename(oldFd, oldAt, oldLength, newFd, newAt, newLength) {
                const from = w.lookup(oldFd, w.string(oldAt, oldLength), E.ACCES);
                if (from.error !== undefined) {
                    return from.error;
                }
                const to = w.lookup(newFd, w.string(newAt, newLength), E.ACCES);
                if (to.error !== undefined) {
                    return to.error;
                }
                if (from.node === null || to.parent === null || !to.parent.dir) {
                    return E.NOENT;
                }
                if (from.node.dir && to.node !== null && !to.node.dir) {
                    return E.NOTDIR;
                }
                if (!from.node.dir && to.node !== null && to.node.dir) {
                    return E.ISDIR;
                }
                if (to.node !== null && to.node.dir && to.node.entries.size > 0 && to.node !== from.node) {
                    return E.NOTEMPTY;
                }
                if (from.parent === null) {
                    return E.IO;
                }
                if (to.node !== null && to.node !== from.node && !to.node.dir) {
                    w.disk.release(to.node);
                }
                from.parent.entries.delete(from.name);
                to.parent.entries.set(to.name, from.node);
                if (from.node.dir) {
                    from.node.parent = to.parent;
                }
                w.sort(to.parent);
                return E.SUCCESS;
            },
            path_symlink(oldAt, oldLength, n, newAt, newLength) {
                const target = normalize(w.string(oldAt, oldLength));
                const found = w.lookup(n, w.string(newAt, newLength), E.ACCES);
                if (target === null) {
                    return E.ACCES;
                }
                if (found.error !== undefined) {
                    return found.error;
                }
                return found.node !== null ? E.EXIST : E.NOTSUP; // links are not kept in the browser
            },
            path_unlink_file(n, at, length) {
                const raw = w.string(at, length);
                const found = w.lookup(n, raw, E.ACCES);
                if (found.error !== undefined) {
                    return found.error;
                }
                if (found.node === null) {
                    return E.NOENT;
                }
                if (found.node.dir) {
                    return E.ISDIR;
                }
                if (raw.endsWith('/')) {
                    return E.NOTDIR;
                }
                found.parent.entries.delete(found.name);
                w.disk.release(found.node);
                return E.SUCCESS;
            },
            sock_accept: unsupported('sock_accept'),
            sock_recv: unsupported('sock_recv'),
            sock_send: unsupported('sock_send'),
            sock_shutdown: (n) => (w.fd(n) === null ? E.BADF : E.NOTSOCK),
        };
        const wrapped = {};
        for (const [name, f] of Object.entries(functions)) {
            wrapped[name] = call(f);
        }
        return wrapped;
    }

    sort(dir) {
        const sorted = [...dir.entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        dir.entries = new Map(sorted);
    }

    /** null when fd {@code n} is an open file, else the error for it ({@code streamError} for a stream). */
    fileOnly(n, streamError) {
        const fd = this.fd(n);
        if (fd === null) {
            return E.BADF;
        }
        if (fd.kind === 'in' || fd.kind === 'out' || fd.kind === 'err') {
            return streamError;
        }
        return fd.kind === 'dir' ? E.ISDIR : null;
    }

    sync(n) {
        const fd = this.fd(n);
        if (fd === null) {
            return E.BADF;
        }
        return fd.kind === 'file' ? E.SUCCESS : E.INVAL;
    }

    setSize(fd, size) {
        if (!fd.write) {
            return E.INVAL; // Java's FileChannel: NonWritableChannelException
        }
        const file = fd.node;
        if (size <= file.size) {
            file.size = size;
            this.disk.reserve(file, size);
            return E.SUCCESS;
        }
        const written = this.writeTo(fd, new Uint8Array(1), size - 1);
        return written < 0 ? -written : E.SUCCESS;
    }

    readInto(fd, iovs, count, nreadPtr, offset) {
        const v = this.view();
        if (fd.kind === 'file' && !fd.read) {
            return E.NOTCAPABLE;
        }
        let total = 0;
        for (let i = 0; i < count; i++) {
            const at = v.getUint32(iovs + i * 8, true);
            const length = v.getInt32(iovs + i * 8 + 4, true);
            let source;
            let from;
            let end;
            if (fd.kind === 'in') {
                source = this.stdin;
                from = this.stdinPos;
                end = source.length;
            } else {
                source = fd.node.data;
                from = offset === undefined ? fd.pos : offset;
                end = fd.node.size;
            }
            if (from >= end) {
                break; // end of file: Java's read() gave -1
            }
            const read = Math.max(0, Math.min(length, end - from));
            this.bytes(at, read).set(source.subarray(from, from + read));
            if (fd.kind === 'in') {
                this.stdinPos += read;
            } else if (offset === undefined) {
                fd.pos += read;
            } else {
                offset += read;
            }
            total += read;
            if (read < length) {
                break;
            }
        }
        v.setUint32(nreadPtr, total, true);
        return E.SUCCESS;
    }

    writeFrom(fd, iovs, count, nwrittenPtr, offset) {
        const v = this.view();
        if (fd.kind === 'file' && !fd.write) {
            return E.NOTCAPABLE;
        }
        let total = 0;
        for (let i = 0; i < count; i++) {
            const at = v.getUint32(iovs + i * 8, true);
            const length = v.getInt32(iovs + i * 8 + 4, true);
            const data = this.bytes(at, length).slice();
            const written = this.writeTo(fd, data, offset === undefined ? undefined : offset + total);
            if (written < 0) {
                return -written;
            }
            total += written;
        }
        this.view().setUint32(nwrittenPtr, total, true);
        return E.SUCCESS;
    }

    open(n, lookupFlags, at, length, oflags, rightsBase, rightsInheriting, fdFlags, fdPtr) {
        const raw = this.string(at, length);
        const dir = this.fd(n);
        if (dir === null) {
            return E.BADF;
        }
        if (dir.kind !== 'dir') {
            return E.NOTDIR;
        }
        if (raw.endsWith('\0')) {
            return E.INVAL;
        }
        const found = this.lookup(n, raw, E.PERM);
        if (found.error !== undefined) {
            return found.error;
        }
        let node = found.node;
        if (node !== null && node.dir) {
            if (rightsBase & RIGHT.FD_WRITE) {
                return E.ISDIR;
            }
            this.view().setUint32(fdPtr, this.allocate({ kind: 'dir', node }), true);
            return E.SUCCESS;
        }
        if (raw.endsWith('/')) {
            return E.NOTDIR;
        }
        if ((oflags & OFLAGS.DIRECTORY) && node !== null) {
            return E.NOTDIR;
        }
        const append = (fdFlags & FDFLAGS_APPEND) !== 0;
        const truncate = (oflags & OFLAGS.TRUNC) !== 0;
        if (append && truncate) {
            return E.NOTSUP;
        }
        const create = (oflags & OFLAGS.CREAT) !== 0;
        let write = (rightsBase & RIGHT.FD_WRITE) !== 0n || create || append;
        let read = !append && (rightsBase & RIGHT.FD_READ) !== 0n;
        if (!read && !write) {
            read = true; // FileChannel.open's default
        }
        if (node === null) {
            if (!create || found.parent === null || !found.parent.dir) {
                return E.NOENT;
            }
            node = this.disk.file();
            found.parent.entries.set(found.name, node);
            this.sort(found.parent);
        } else if (create && (oflags & OFLAGS.EXCL)) {
            return E.EXIST;
        }
        if (truncate && write) {
            node.size = 0;
            this.disk.reserve(node, 0);
        }
        const fd = { kind: 'file', node, pos: 0, read, write, append, fdFlags, rights: rightsBase };
        this.view().setUint32(fdPtr, this.allocate(fd), true);
        return E.SUCCESS;
    }

    readdir(n, buf, length, cookie, usedPtr) {
        if (cookie < 0n) {
            return E.INVAL;
        }
        const fd = this.fd(n);
        if (fd === null) {
            return E.BADF;
        }
        if (fd.kind !== 'dir') {
            return E.NOTDIR;
        }
        const dir = fd.node;
        const entries = [['.', dir], ['..', dir.parent], ...dir.entries];
        let used = 0;
        let next = cookie;
        for (const [name, node] of entries.slice(Number(cookie))) {
            const nameBytes = encoder.encode(name);
            next++;
            const entry = new Uint8Array(24 + nameBytes.length);
            const v = new DataView(entry.buffer);
            v.setBigUint64(0, next, true);
            v.setBigUint64(8, BigInt(node.id), true);
            v.setUint32(16, nameBytes.length, true);
            v.setUint8(20, node.dir ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
            entry.set(nameBytes, 24);
            const size = Math.min(entry.length, length - used);
            this.bytes(buf + used, size).set(entry.subarray(0, size));
            used += size;
            if (used === length) {
                break;
            }
        }
        this.view().setUint32(usedPtr, used, true);
        return E.SUCCESS;
    }

    // --- DeterministicWasi

    clockRes(id, at) {
        if (!this.deterministic) {
            if (id === 0 || id === 1) {
                this.view().setBigUint64(at, 1n, true);
                return E.SUCCESS;
            }
            return id === 2 || id === 3 ? E.NOTSUP : E.INVAL;
        }
        if (id < 0 || id > 3) {
            return E.INVAL;
        }
        this.view().setBigUint64(at, TICK_NANOS, true);
        return E.SUCCESS;
    }

    hostTime(id) {
        return id === 0 ? BigInt(Date.now()) * 1000000n
            : BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    }

    now(id) {
        return id === 0 ? EPOCH_SECONDS * 1000000000n + this.virtualNanos : this.virtualNanos;
    }

    clockTime(id, at) {
        if (!this.deterministic) {
            if (id === 0 || id === 1) {
                this.view().setBigUint64(at, this.hostTime(id), true);
                return E.SUCCESS;
            }
            return id === 2 || id === 3 ? E.NOTSUP : E.INVAL;
        }
        if (id < 0 || id > 3) {
            return E.INVAL;
        }
        this.virtualNanos = BigInt.asIntN(64, this.virtualNanos + TICK_NANOS);
        this.view().setBigInt64(at, BigInt.asIntN(64, this.now(id)), true);
        return E.SUCCESS;
    }

    nextSplitMix64() {
        this.randomState = BigInt.asUintN(64, this.randomState + 0x9E3779B97F4A7C15n);
        let z = this.randomState;
        z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
        z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
        return z ^ (z >> 31n);
    }

    random(at, length) {
        if (length < 0) {
            return E.INVAL;
        }
        const out = this.bytes(at, length);
        if (!this.deterministic) {
            for (let i = 0; i < length; i += 65536) {
                crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
            }
            return E.SUCCESS;
        }
        const bytes = new Uint8Array(length);
        for (let i = 0; i < length; i++) {
            if (this.randomLeft === 0) {
                this.randomWord = this.nextSplitMix64();
                this.randomLeft = 8;
            }
            bytes[i] = Number(this.randomWord & 0xFFn);
            this.randomWord >>= 8n;
            this.randomLeft--;
        }
        out.set(bytes);
        return E.SUCCESS;
    }

    poll(inPtr, outPtr, count, eventsPtr) {
        if (count <= 0 || count > 4096) {
            return E.INVAL;
        }
        const v = this.view();
        let anyFd = false;
        let earliest = 0x7FFFFFFFFFFFFFFFn;
        const deadlines = [];
        for (let i = 0; i < count; i++) {
            const sub = inPtr + i * 48;
            if (v.getUint8(sub + 8) === 0) {
                const clock = v.getInt32(sub + 16, true);
                const timeout = v.getBigInt64(sub + 24, true);
                const absolute = (v.getUint16(sub + 40, true) & 1) !== 0;
                if (clock < 0 || clock > 3) {
                    return E.INVAL;
                }
                const now = this.deterministic ? this.now(clock) : this.hostTime(clock === 0 ? 0 : 1);
                const virtual = this.deterministic ? this.virtualNanos : now;
                const deadline = BigInt.asIntN(64, absolute ? timeout - (now - virtual)
                    : virtual + (timeout > 0n ? timeout : 0n));
                deadlines.push(deadline);
                if (deadline < earliest) {
                    earliest = deadline;
                }
            } else {
                anyFd = true;
                deadlines.push(null);
            }
        }
        if (!this.deterministic) {
            const wait = anyFd ? 0n : earliest - this.hostTime(1);
            if (wait > 0n) {
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(wait / 1000000n));
            }
            this.virtualNanos = this.hostTime(1);
        } else if (!anyFd && earliest > this.virtualNanos) {
            this.virtualNanos = earliest;
        }
        let events = 0;
        for (let i = 0; i < count; i++) {
            const sub = inPtr + i * 48;
            const tag = v.getUint8(sub + 8);
            const fires = tag === 0 ? !anyFd && deadlines[i] <= this.virtualNanos : true;
            if (fires) {
                const event = outPtr + events * 32;
                v.setBigUint64(event, v.getBigUint64(sub, true), true);
                v.setUint16(event + 8, 0, true);
                v.setUint8(event + 10, tag);
                v.setBigUint64(event + 16, 0n, true);
                v.setUint16(event + 24, 0, true);
                events++;
            }
        }
        v.setUint32(eventsPtr, events, true);
        return E.SUCCESS;
    }
}
