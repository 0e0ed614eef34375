// Runs one task of a deployed app in the Web Worker that imports this: a fresh instance of the module, its WASI
// (wasi.js), Starling's host module, and the limits. The browser's half of the contract of the Java worker's
// WasmSandbox: same statuses, same messages where the browser can know them.
import { LOOP_BUDGET } from './instrument.js';
import { Exit, Stop, Unsupported, Wasi } from './wasi.js';

const PAGE_MIB = 16; // 64 KiB pages per MiB

/** The module's bytes with its memory's maximum lowered to the task's cap, so memory.grow past it returns -1. */
export function capMemory(bytes, capPages) {
    const b = new Uint8Array(bytes);
    let at = 8;
    const leb = () => {
        let result = 0;
        let shift = 0;
        let byte;
        do {
            byte = b[at++];
            result += (byte & 0x7f) * 2 ** shift;
            shift += 7;
        } while (byte & 0x80);
        return result;
    };
    const encode = (n) => {
        const out = [];
        do {
            let byte = n % 128;
            n = Math.floor(n / 128);
            if (n > 0) {
                byte |= 0x80;
            }
            out.push(byte);
        } while (n > 0);
        return out;
    };
    while (at < b.length) {
        const start = at;
        const id = b[at++];
        const size = leb();
        const payload = at;
        if (id === 5) {
            const count = leb();
            const memories = [];
            for (let i = 0; i < count; i++) {
                const flags = b[at++];
                const min = leb();
                const max = flags & 1 ? leb() : 65536;
                if (min > capPages) {
                    return { initialPages: min };
                }
                memories.push(1, ...encode(min), ...encode(Math.min(max, capPages)));
            }
            const section = [...encode(count), ...memories];
            const header = [5, ...encode(section.length)];
            const out = new Uint8Array(start + header.length + section.length + (b.length - payload - size));
            out.set(b.subarray(0, start), 0);
            out.set(header, start);
            out.set(section, start + header.length);
            out.set(b.subarray(payload + size), start + header.length + section.length);
            return { bytes: out };
        }
        at = payload + size;
    }
    return { bytes: b };
}

/**
 * Runs a task to its end.
 *
 * @param module a WebAssembly.Module compiled from the module's bytes, instrumented (instrument.js) and capped
 *     (capMemory)
 * @param task {args, stdin, files, checkpoint, seed, deterministic, limits: {memoryMib, maxCpuSeconds,
 *     maxOutputBytes, scratchBytes}}
 * @param control {safepoint(): throws Stop to end the task, progress(fraction), cpuMillis()}
 */
export function runTask(module, task, control) {
    let instance = null;
    const wasi = new Wasi(task, {
        safepoint: () => control.safepoint(),
        memory: () => instance.exports.memory,
    });
    const starling = {
        checkpoint_due() {
            control.safepoint();
            return 0; // a tab keeps no journal: its tasks start over
        },
        checkpoint_done() {},
        progress(fraction) {
            if (fraction >= 0 && fraction <= 1) {
                control.progress(fraction);
            }
        },
        __yield() { // the pause points instrument.js adds: about once per million instructions
            control.safepoint();
            return LOOP_BUDGET;
        },
    };
    let status;
    let message;
    let exitCode = -1;
    try {
        instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.imports(), starling });
        try {
            instance.exports._start();
            exitCode = 0;
        } catch (e) {
            if (!(e instanceof Exit)) {
                throw e;
            }
            exitCode = e.code;
        }
        status = exitCode === 0 ? 'SUCCEEDED' : 'EXIT_CODE';
        message = exitCode === 0 ? 'exited with code 0' : 'the module exited with code ' + exitCode;
    } catch (e) {
        if (e instanceof Stop) {
            status = e.status;
            message = e.message;
        } else if (e instanceof RangeError && /call stack/i.test(e.message)) {
            status = 'TRAP';
            message = 'trap: call stack exhausted (recursion too deep)';
        } else if (e instanceof WebAssembly.RuntimeError) {
            status = 'TRAP';
            message = 'trap: ' + e.message;
        } else if (e instanceof WebAssembly.LinkError) {
            status = 'FAILED';
            message = 'the module could not be linked: ' + e.message;
        } else if (e instanceof RangeError && instance === null) {
            status = 'FAILED';
            message = 'the tab ran out of memory instantiating the task: ' + e.message;
        } else if (e instanceof RangeError) { // a host function given a pointer outside the memory, as Chicory traps
            status = 'TRAP';
            message = 'trap: out of bounds memory access (' + e.message + ')';
        } else if (e instanceof Unsupported) {
            status = 'TRAP';
            message = 'trap: ' + e.message;
        } else {
            status = 'FAILED';
            message = 'the sandbox failed: ' + e;
        }
    }
    const exited = status === 'SUCCEEDED' || status === 'EXIT_CODE';
    return {
        status,
        exitCode,
        stdout: exited ? wasi.output() : new Uint8Array(0),
        files: status === 'SUCCEEDED' ? wasi.outputFiles() : [],
        message,
        stderrTail: wasi.stderrTail(),
        cpuMillis: control.cpuMillis(),
    };
}

/** The result of a task whose module asks for more memory at its start than the task may have. */
export function tooMuchMemory(initialPages, memoryMib) {
    return {
        status: 'MEMORY_LIMIT',
        exitCode: -1,
        stdout: new Uint8Array(0),
        files: [],
        message: 'the module starts with ' + Math.floor(initialPages / PAGE_MIB) + ' MiB of memory, more than the'
            + ' task\'s limit of ' + memoryMib + ' MiB (memoryMiB)',
        stderrTail: '',
        cpuMillis: 0,
    };
}

export { PAGE_MIB };
