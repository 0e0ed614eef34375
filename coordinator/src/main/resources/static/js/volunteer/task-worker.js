// A Web Worker that runs deployed apps' tasks one at a time (one such worker per core the volunteer gives).
//
// In:  {type: 'run', id, sha256, bytes: ArrayBuffer, task, control: SharedArrayBuffer | null}
// Out: {type: 'progress', id, fraction} at most every 250 ms, then {type: 'done', id, result}
//
// Pausing: compiled WebAssembly cannot be stopped from outside, and a worker blocks only inside an import, so the
// module is instrumented first (instrument.js: the Java sandbox's YieldInstrumentation) to call starling.__yield about
// once per million instructions; that and every WASI and starling.* call are the task's pause points. There the worker
// reads the control word (an Int32Array over a SharedArrayBuffer, which needs the page to be cross-origin isolated):
// 0 run, 1 paused (it blocks in Atomics.wait until the word changes), 2 cancelled (the task ends, CANCELLED). The
// second word is the CPU limit in percent: after each 20 ms of running the worker sleeps so that it runs that share of
// the time. The third is 1 while the task is parked at a pause point.
// Without isolation there is no shared word: a task can then only be ended, by terminating its worker.
import { instrument } from './instrument.js';
import { capMemory, PAGE_MIB, runTask, tooMuchMemory } from './sandbox.js';
import { Stop } from './wasi.js';

const modules = new Map(); // sha256:capPages -> WebAssembly.Module
const SLICE_MS = 20;

function compile(sha256, bytes, memoryMib) {
    const key = sha256 + ':' + memoryMib;
    let entry = modules.get(key);
    if (!entry) {
        const capped = capMemory(instrument(bytes), memoryMib * PAGE_MIB);
        entry = capped.bytes ? { module: new WebAssembly.Module(capped.bytes) } : { initialPages: capped.initialPages };
        if (modules.size >= 8) {
            modules.delete(modules.keys().next().value);
        }
        modules.set(key, entry);
    }
    return entry;
}

function controlOf(id, control, maxCpuSeconds) {
    const word = control ? new Int32Array(control) : null;
    const start = performance.now();
    let idle = 0; // paused or throttled
    let sliceStart = start;
    let lastProgress = 0;
    const cpuMillis = () => performance.now() - start - idle;
    return {
        cpuMillis,
        safepoint() {
            if (word !== null) {
                let state = Atomics.load(word, 0);
                if (state === 1) {
                    const from = performance.now();
                    Atomics.store(word, 2, 1); // parked: the page can see the pause took hold
                    while ((state = Atomics.load(word, 0)) === 1) {
                        Atomics.wait(word, 0, 1);
                    }
                    Atomics.store(word, 2, 0);
                    idle += performance.now() - from;
                    sliceStart = performance.now();
                }
                if (state === 2) {
                    throw new Stop('CANCELLED', 'cancelled: the volunteer stopped the task');
                }
                const limit = Atomics.load(word, 1);
                const ran = performance.now() - sliceStart;
                if (limit > 0 && limit < 100 && ran >= SLICE_MS) {
                    const from = performance.now();
                    Atomics.wait(word, 0, 0, ran * (100 - limit) / limit);
                    idle += performance.now() - from;
                    sliceStart = performance.now();
                    if (Atomics.load(word, 0) === 2) {
                        throw new Stop('CANCELLED', 'cancelled: the volunteer stopped the task');
                    }
                }
            }
            if (cpuMillis() > maxCpuSeconds * 1000) {
                throw new Stop('CPU_LIMIT', 'the task used more than its CPU time limit of ' + maxCpuSeconds
                    + ' s (maxCpuSeconds)');
            }
        },
        progress(fraction) {
            const now = performance.now();
            if (now - lastProgress >= 250 || fraction === 1) {
                lastProgress = now;
                postMessage({ type: 'progress', id, fraction });
            }
        },
    };
}

self.onmessage = (event) => {
    const { id, sha256, bytes, task, control } = event.data;
    let result;
    try {
        const entry = compile(sha256, bytes, task.limits.memoryMib);
        result = entry.module
            ? runTask(entry.module, task, controlOf(id, control, task.limits.maxCpuSeconds))
            : tooMuchMemory(entry.initialPages, task.limits.memoryMib);
    } catch (e) {
        result = {
            status: 'FAILED', exitCode: -1, stdout: new Uint8Array(0), files: [], stderrTail: '', cpuMillis: 0,
            message: 'the module could not be compiled in this browser: ' + e,
        };
    }
    postMessage({ type: 'done', id, result });
};
