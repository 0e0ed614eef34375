// The page's side of the task workers: one Web Worker per core given, each running one task at a time
// (task-worker.js), steered through a control word in a SharedArrayBuffer where the page is cross-origin isolated.
const RUN = 0;
const PAUSE = 1;
const CANCEL = 2;
/** How long a cancelled task may take to reach a pause point before its worker is terminated. */
const CANCEL_GRACE_MS = 2000;

class Slot {
    constructor(url) {
        this.url = url;
        this.control = typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated
            ? new SharedArrayBuffer(12) : null;
        this.word = this.control ? new Int32Array(this.control) : null;
        this.task = null;
        this.start();
    }

    start() {
        this.worker = new Worker(this.url, { type: 'module', name: 'starling-task' });
        this.worker.onmessage = (event) => this.message(event.data);
        this.worker.onerror = (event) => this.finish(failed('the task worker failed: ' + (event.message || 'error')));
    }

    message(data) {
        if (this.task === null || data.id !== this.task.id) {
            return;
        }
        if (data.type === 'progress') {
            this.task.onProgress(data.fraction);
        } else if (data.type === 'done') {
            this.finish(data.result);
        }
    }

    finish(result) {
        const task = this.task;
        if (task === null) {
            return;
        }
        this.task = null;
        clearTimeout(task.watchdog);
        task.resolve(result);
    }

    /** Ends the running task now: the worker is replaced by a fresh one. */
    kill(result) {
        this.worker.terminate();
        this.start();
        this.finish(result);
    }

    set(state) {
        if (this.word !== null) {
            Atomics.store(this.word, 0, state);
            Atomics.notify(this.word, 0);
        }
    }
}

function failed(message, status = 'FAILED') {
    return { status, exitCode: -1, stdout: new Uint8Array(0), files: [], message, stderrTail: '', cpuMillis: 0 };
}

let nextId = 1;

export class Runner {
    /** @param cores how many tasks run at once; @param cpuLimit percent of each core (1-100) */
    constructor(cores, cpuLimit = 100, url = new URL('./task-worker.js', import.meta.url)) {
        this.slots = Array.from({ length: cores }, () => new Slot(url));
        this.cpuLimit = cpuLimit;
        this.paused = false;
    }

    /** Whether tasks can be paused in place (the page is cross-origin isolated), or only ended. */
    get pausable() {
        return this.slots.length > 0 && this.slots[0].word !== null;
    }

    get free() {
        return this.slots.filter((s) => s.task === null).length;
    }

    setCpuLimit(percent) {
        this.cpuLimit = Math.max(1, Math.min(100, Math.round(percent)));
        for (const slot of this.slots) {
            if (slot.word !== null) {
                Atomics.store(slot.word, 1, this.cpuLimit);
            }
        }
    }

    /**
     * Runs a task on a free worker.
     *
     * @param bytes the module's verified bytes (an ArrayBuffer; copied to the worker)
     * @return {promise, cancel()}: the promise gives the result ({status, exitCode, stdout, files, message,
     *     stderrTail, cpuMillis}); it never rejects
     */
    run(sha256, bytes, task, onProgress = () => {}) {
        const slot = this.slots.find((s) => s.task === null);
        if (!slot) {
            throw new Error('no free task worker');
        }
        const id = nextId++;
        const promise = new Promise((resolve) => {
            slot.task = { id, resolve, onProgress, watchdog: null };
        });
        if (slot.word !== null) {
            Atomics.store(slot.word, 0, this.paused ? PAUSE : RUN);
            Atomics.store(slot.word, 1, this.cpuLimit);
            Atomics.store(slot.word, 2, 0);
        }
        // the worker stops a task at its CPU limit at a pause point; this ends one that never reaches one (at the
        // lowest CPU limit the page offers, 10%, a task may take ten times its CPU time)
        const wallLimit = task.limits.maxCpuSeconds * 1000 * 10 + 5000;
        const watch = () => {
            if (slot.task && slot.task.id === id) {
                if (this.paused) {
                    slot.task.watchdog = setTimeout(watch, wallLimit);
                } else {
                    slot.kill(failed('the task used more than its CPU time limit of ' + task.limits.maxCpuSeconds
                        + ' s (maxCpuSeconds)', 'CPU_LIMIT'));
                }
            }
        };
        slot.task.watchdog = setTimeout(watch, wallLimit);
        slot.worker.postMessage({ type: 'run', id, sha256, bytes, task, control: slot.control });
        const cancel = (reason = 'cancelled: the volunteer stopped the task') => {
            if (!slot.task || slot.task.id !== id) {
                return;
            }
            if (slot.word === null) {
                slot.kill(failed(reason, 'CANCELLED'));
                return;
            }
            slot.set(CANCEL);
            setTimeout(() => {
                if (slot.task && slot.task.id === id) {
                    slot.kill(failed(reason, 'CANCELLED'));
                }
            }, CANCEL_GRACE_MS);
        };
        return { promise, cancel };
    }

    /** How many running tasks are held at a pause point now. */
    get parked() {
        return this.slots.filter((s) => s.task !== null && s.word !== null && Atomics.load(s.word, 2) === 1).length;
    }

    /** Holds every running task at its next pause point (or resumes them). */
    pause(paused) {
        this.paused = paused;
        for (const slot of this.slots) {
            if (slot.task !== null) {
                slot.set(paused ? PAUSE : RUN);
            }
        }
    }

    close() {
        for (const slot of this.slots) {
            slot.worker.terminate();
            slot.finish(failed('cancelled: the page closed', 'CANCELLED'));
        }
        this.slots = [];
    }
}
