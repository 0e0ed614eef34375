// A deployed app's task as the tab runs it: its WasmWorkUnit (Task.wasm, protobuf JSON) read and checked field by
// field as the Java worker's DeployedTask does, and its output envelope's size as WasmOutput encodes it.
const MAX_ARGS = 1000;
const MAX_ARG_CHARS = 4096;
const MAX_STDIN_BYTES = 256 << 10;
const MAX_FILES = 128;
const MAX_SCRATCH_BYTES = 16 * 2 ** 30;
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** The largest output a tab reports (the Java worker's default --max-output). */
export const MAX_OUTPUT_BYTES = 8 << 20;

export class MalformedTask extends Error {}

const fromBase64 = (text) => Uint8Array.from(atob(text || ''), (c) => c.charCodeAt(0));
const uint = (value, field, max) => {
    const n = Number(value ?? 0);
    if (!Number.isSafeInteger(n) || n < 0 || n > max) {
        throw new MalformedTask(field + ' is ' + String(value).slice(0, 40) + ', out of range (at most ' + max + ')');
    }
    return n;
};

/** Reads a task's work unit; throws MalformedTask naming the field that is wrong. */
export function readWorkUnit(task) {
    const unit = task.wasm;
    if (!unit || typeof unit !== 'object') {
        throw new MalformedTask('the task has no WebAssembly work unit');
    }
    const inputs = new Map((task.inputs || []).map((source) => [source.blobId, source]));
    const blob = (field, id) => {
        if (!inputs.has(id)) {
            throw new MalformedTask(field + ': blob ' + String(id).slice(0, 80) + ' is not one of the task\'s inputs');
        }
        return inputs.get(id);
    };
    const args = unit.args || [];
    if (!Array.isArray(args) || args.length > MAX_ARGS) {
        throw new MalformedTask('args: more than ' + MAX_ARGS + ' arguments');
    }
    args.forEach((arg, i) => {
        if (typeof arg !== 'string' || arg.length > MAX_ARG_CHARS || arg.includes('\0')) {
            throw new MalformedTask('args[' + i + ']: more than ' + MAX_ARG_CHARS + ' characters, or a NUL character');
        }
    });
    const stdin = fromBase64(unit.stdin);
    if (stdin.length > MAX_STDIN_BYTES) {
        throw new MalformedTask('stdin: ' + stdin.length + ' bytes, more than ' + MAX_STDIN_BYTES);
    }
    const files = unit.files || [];
    if (files.length > MAX_FILES) {
        throw new MalformedTask('files: more than ' + MAX_FILES + ' files');
    }
    const named = new Map();
    for (const file of files) {
        if (!FILE_NAME.test(file.name || '') || file.name === '..') {
            throw new MalformedTask('files: \'' + String(file.name).slice(0, 64) + '\' is not a plain file name');
        }
        if (named.has(file.name)) {
            throw new MalformedTask('files: \'' + file.name + '\' is named twice');
        }
        named.set(file.name, blob('files.' + file.name, file.blobId));
    }
    if (unit.stdinFile && (!named.has(unit.stdinFile) || stdin.length > 0)) {
        throw new MalformedTask('stdin_file: \'' + String(unit.stdinFile).slice(0, 64)
            + '\' is not one of the task\'s input files, or the task has stdin too');
    }
    const limits = unit.limits || {};
    const memoryMib = uint(limits.memoryMib, 'limits.memory_mib', 2047);
    const maxCpuSeconds = uint(limits.maxCpuSeconds, 'limits.max_cpu_seconds', 2 ** 32 - 1);
    if (memoryMib < 1 || maxCpuSeconds < 1) {
        throw new MalformedTask('limits.memory_mib and limits.max_cpu_seconds must be at least 1');
    }
    let seed;
    try {
        seed = BigInt.asUintN(64, BigInt(unit.seed || '0'));
    } catch (e) {
        throw new MalformedTask('seed is not a number');
    }
    return {
        module: blob('module', unit.module),
        args,
        stdin,
        files: [...named].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
        stdinFile: unit.stdinFile || null,
        seed,
        deterministic: !unit.nondeterministic,
        limits: {
            memoryMib,
            maxCpuSeconds,
            maxOutputBytes: uint(limits.maxOutputBytes, 'limits.max_output_bytes', MAX_OUTPUT_BYTES),
            scratchBytes: uint(limits.maxScratchBytes, 'limits.max_scratch_bytes', MAX_SCRATCH_BYTES),
        },
    };
}

const varintSize = (n) => {
    let size = 1;
    while (n >= 128) {
        n = Math.floor(n / 128);
        size++;
    }
    return size;
};
const field = (length) => (length === 0 ? 0 : 1 + varintSize(length) + length);
const encoder = new TextEncoder();

/** The size of the WasmOutput message (stdout, then the files) as protobuf encodes it. */
export function outputSize(stdout, files) {
    let size = field(stdout.length);
    for (const [name, content] of files) {
        const entry = field(encoder.encode(name).length) + field(content.length);
        size += 1 + varintSize(entry) + entry;
    }
    return size;
}
