// The conformance tests' page: runs one task at a time in the page's own task runner (a Web Worker) and answers
// with the result as JSON, bytes in base64. BrowserRunnerConformanceTest drives it through Selenium.
import { instrument } from '/js/volunteer/instrument.js';
import { Runner } from '/js/volunteer/runner.js';

const runner = new Runner(1);
const modules = new Map();

const toBase64 = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
};
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function moduleBytes(name) {
    if (!modules.has(name)) {
        const response = await fetch('/modules/' + name + '.wasm');
        modules.set(name, await response.arrayBuffer());
    }
    return modules.get(name);
}

const json = (result) => JSON.stringify({
    status: result.status,
    exitCode: result.exitCode,
    stdout: toBase64(result.stdout),
    files: result.files.map(([name, content]) => ({ name, content: toBase64(content) })),
    message: result.message,
    stderrTail: result.stderrTail,
    cpuMillis: result.cpuMillis,
});

/** Starts a task; spec: {module, args, stdin (base64), files: [{name, content (base64)}], seed, deterministic, limits} */
async function start(spec) {
    const bytes = await moduleBytes(spec.module);
    const task = {
        args: spec.args,
        stdin: fromBase64(spec.stdin),
        files: spec.files.map((f) => [f.name, fromBase64(f.content)]),
        checkpoint: [],
        seed: BigInt(spec.seed),
        deterministic: spec.deterministic,
        limits: spec.limits,
    };
    return runner.run(spec.module, bytes.slice(0), task);
}

window.runTask = async (spec) => json(await (await start(spec)).promise);

let running = null;
window.startTask = async (spec) => {
    running = await start(spec);
    return true;
};
window.pauseTasks = (paused) => runner.pause(paused);
window.parkedTasks = () => runner.parked;
window.cancelTask = () => running.cancel();
window.taskResult = async () => json(await running.promise);
window.instrumented = async (name) => toBase64(instrument(await moduleBytes(name)));
window.isolated = self.crossOriginIsolated;
document.getElementById('state').textContent = 'ready';

/** The benchmark's figure: wall milliseconds for {@code tasks} runs of a module, {@code cores} at a time. */
window.throughput = async (spec, tasks, cores) => {
    const bytes = await moduleBytes(spec.module);
    const pool = new Runner(cores);
    const task = {
        args: spec.args, stdin: new Uint8Array(0), files: [], checkpoint: [], seed: 0n, deterministic: true,
        limits: spec.limits,
    };
    await Promise.all(Array.from({ length: cores }, () => pool.run(spec.module, bytes.slice(0), task).promise));
    const start = performance.now();
    let started = 0;
    let failed = 0;
    const lane = async () => {
        while (started < tasks) {
            started++;
            const result = await pool.run(spec.module, bytes.slice(0), task).promise;
            if (result.status !== 'SUCCEEDED') {
                failed++;
            }
        }
    };
    await Promise.all(Array.from({ length: cores }, lane));
    const elapsed = performance.now() - start;
    pool.close();
    return JSON.stringify({ elapsed, failed });
};
