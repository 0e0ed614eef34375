// The volunteer page (/volunteer): this browser tab as a Starling host. It registers under the signed-in volunteer
// (one browser profile is one host across visits: its id and token are kept in localStorage), long-polls for
// deployed apps' tasks, runs them in Web Workers (runner.js), heartbeats while they run and reports their outputs.
// Stop, or closing the tab, gives the running tasks back with navigator.sendBeacon and a short-lived give-back token.
import { ApiError, HostApi } from './api.js';
import { BlobError, fetchBlob } from './blobs.js';
import { Runner } from './runner.js';
import { FILE_NAME, MalformedTask, MAX_OUTPUT_BYTES, outputSize, readWorkUnit } from './work-unit.js';

const IDENTITY = 'starling.browserHost';
const SETTINGS = 'starling.browserSettings';
const MAX_MODULE_BYTES = 64 << 20;
const MAX_INPUT_BYTES = 256 << 20;
const MAX_BACKOFF_MS = 60000;

const $ = (id) => document.getElementById(id);
const meta = (name) => document.querySelector('meta[name="' + name + '"]')?.content;
/** What the operator lets a tab give (the coordinator cuts what the page says to these anyway). */
const MAX_CORES = Number(meta('starling-browser-max-cores')) || 16;
const MAX_MEMORY_MIB = Number(meta('starling-browser-max-memory-mib')) || 1024;
const toBase64 = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
};
const load = (key) => {
    try {
        return JSON.parse(localStorage.getItem(key) || 'null');
    } catch (e) {
        return null;
    }
};
const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));
const sleep = (ms, signal) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
    }, { once: true });
});

function defaults() {
    const cores = navigator.hardwareConcurrency || 2;
    const phone = matchMedia('(pointer: coarse)').matches;
    return { cores: Math.max(1, Math.floor(cores / 2)), cpuLimit: 100, visibleOnly: true, chargingOnly: phone };
}

/** The signed-in session's CSRF token and header, from the page's meta tags (register needs them). */
function csrf() {
    const token = meta('_csrf');
    return token ? { token, header: meta('_csrf_header') || 'X-CSRF-TOKEN' } : null;
}

/** One registered session of this tab as a host: from Start to Stop. */
class Session {
    constructor(settings, view) {
        this.settings = settings;
        this.view = view;
        this.running = new Map(); // resultId -> {task, app, progress, handle, state}
        this.outbox = []; // TaskResult JSON waiting to be reported
        this.done = 0;
        this.credit = null;
        this.stopped = false;
        this.abort = new AbortController();
        this.wake = null; // resolves the poll loop's wait for a free core or a change of conditions
        this.serverPaused = false;
    }

    async start() {
        const kept = load(IDENTITY);
        const request = {
            protocolVersion: 1,
            name: userAgentSummary(),
            cores: this.settings.cores,
            memoryBytes: String(Math.round((navigator.deviceMemory || 2) * 2 ** 30)),
            os: 'browser',
            arch: 'wasm32',
            workerVersion: '1',
            wasm: { memoryMib: Math.min(MAX_MEMORY_MIB, (navigator.deviceMemory || 2) * 256) },
        };
        if (kept && kept.hostId && kept.hostToken) {
            request.hostId = String(kept.hostId);
            request.hostToken = kept.hostToken;
        }
        this.view.status('Signing this browser in as a host…');
        const answer = await HostApi.register(request, csrf());
        this.identity = { hostId: answer.hostId, hostToken: answer.hostToken };
        save(IDENTITY, this.identity);
        this.api = new HostApi(this.identity);
        this.giveBack = { token: answer.giveBackToken, expires: Number(answer.giveBackTokenExpiresEpochMillis) };
        this.heartbeatMillis = Math.max(1000, answer.heartbeatIntervalMillis || 30000);
        this.maxWait = Math.max(1000, answer.maxWaitMillis || 30000);
        this.credit = answer.hostCredit || 0;
        this.runner = new Runner(this.settings.cores, this.settings.cpuLimit);
        this.view.host(answer.hostId, this.runner.pausable);
        this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMillis);
        this.tokenTimer = setInterval(() => this.renewGiveBackToken(), 60000);
        this.poll();
        this.render();
    }

    /** Why the tab should not compute now, or null. */
    blocked() {
        if (this.serverPaused) {
            return 'Paused from your account page';
        }
        if (this.settings.visibleOnly && document.visibilityState !== 'visible') {
            return 'Paused while this tab is hidden';
        }
        if (this.settings.chargingOnly && this.view.battery && !this.view.battery.charging) {
            return 'Paused until the device is charging';
        }
        return null;
    }

    /** Re-reads the conditions (visibility, battery, settings) and pauses or resumes the running tasks. */
    update() {
        const why = this.blocked();
        if (why !== null && this.runner && !this.runner.pausable) {
            // without cross-origin isolation a task cannot wait in place: it is ended and given back
            for (const task of this.running.values()) {
                task.handle?.cancel('cancelled: ' + why.toLowerCase());
            }
        }
        this.runner?.pause(why !== null);
        this.runner?.setCpuLimit(this.settings.cpuLimit);
        this.poke();
        this.render();
    }

    poke() {
        const wake = this.wake;
        this.wake = null;
        wake?.();
    }

    waitForChange(ms) {
        return new Promise((resolve) => {
            this.wake = resolve;
            if (ms) {
                setTimeout(resolve, ms);
            }
        });
    }

    async poll() {
        let backoff = 1000;
        while (!this.stopped) {
            const free = this.runner.free - [...this.running.values()].filter((t) => t.state === 'fetching').length;
            if (this.blocked() !== null || free <= 0) {
                await this.waitForChange(this.blocked() !== null ? 0 : null);
                continue;
            }
            this.waiting = 'Waiting for work from the coordinator';
            this.render();
            let answer;
            const token = this.identity.hostToken;
            try {
                answer = await this.api.work(free, this.maxWait, this.abort.signal);
                backoff = 1000;
            } catch (e) {
                if (this.stopped) {
                    return;
                }
                if (e instanceof ApiError && !e.transient) {
                    this.fail(e);
                    return;
                }
                this.waiting = 'The coordinator cannot be reached; trying again in ' + Math.round(backoff / 1000)
                    + ' s';
                this.render();
                await sleep(backoff, this.abort.signal);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                continue;
            }
            this.waiting = null;
            this.control(answer, token);
            for (const task of answer.tasks || []) {
                this.begin(task);
            }
        }
    }

    /** What an answer to a call made with `token` asks of the tab. */
    control(answer, token) {
        if (answer.rotateToken) {
            this.rotate(token);
        }
        for (const id of answer.abandonResultIds || []) {
            this.running.get(String(id))?.handle?.cancel('cancelled: the coordinator no longer needs the task');
        }
        if (answer.control) {
            const paused = !!answer.control.paused;
            if (paused !== this.serverPaused) {
                this.serverPaused = paused;
                this.update();
            }
        }
        if (answer.hostCredit !== undefined) {
            this.credit = answer.hostCredit;
        }
    }

    async begin(task) {
        const id = String(task.resultId);
        const entry = { task, app: task.app, progress: 0, handle: null, state: 'fetching' };
        this.running.set(id, entry);
        this.render();
        let outcome;
        try {
            const unit = readWorkUnit(task);
            const module = await fetchBlob(unit.module, MAX_MODULE_BYTES);
            const files = [];
            for (const [name, source] of unit.files) {
                files.push([name, await fetchBlob(source, MAX_INPUT_BYTES)]);
            }
            const stdin = unit.stdinFile ? files.find(([name]) => name === unit.stdinFile)[1] : unit.stdin;
            if (this.stopped) {
                return;
            }
            entry.state = 'running';
            entry.handle = this.runner.run(unit.module.blobId, module.buffer, {
                args: unit.args, stdin, files, checkpoint: [], seed: unit.seed, deterministic: unit.deterministic,
                limits: unit.limits,
            }, (fraction) => {
                entry.progress = fraction;
                this.render();
            });
            this.render();
            outcome = outcomeOf(id, await entry.handle.promise);
        } catch (e) {
            if (e instanceof MalformedTask) {
                outcome = failure(id, 'COMPUTE_ERROR', 'malformed task: ' + e.message);
            } else if (e instanceof BlobError) { // the input is not lost: a worker may reach it from its peers
                outcome = failure(id, 'GIVEN_BACK', e.message);
            } else {
                outcome = failure(id, 'GIVEN_BACK', 'the tab failed: ' + e);
            }
        }
        this.running.delete(id);
        if (this.stopped) {
            return; // given back by stop()
        }
        if (outcome.success) {
            this.done++;
        }
        this.outbox.push(outcome);
        this.flush();
        this.poke();
        this.render();
    }

    async flush() {
        if (this.flushing || this.outbox.length === 0) {
            return;
        }
        this.flushing = true;
        const batch = this.outbox.splice(0, 50);
        try {
            await this.api.report(batch);
        } catch (e) {
            if (e instanceof ApiError && !e.transient) {
                console.warn('results refused', e.message);
            } else {
                this.outbox.unshift(...batch); // reported again with the next result or heartbeat
            }
        } finally {
            this.flushing = false;
        }
    }

    async heartbeat() {
        this.flush();
        const suspended = this.blocked() !== null;
        const tasks = [...this.running].map(([id, t]) => ({ resultId: id, fractionDone: t.progress, suspended }));
        const token = this.identity.hostToken;
        try {
            this.control(await this.api.heartbeat(tasks), token);
            this.render();
        } catch (e) {
            if (e instanceof ApiError && !e.transient) {
                this.fail(e);
            }
        }
    }

    /**
     * Replaces the host token, as the coordinator asked in an answer to a call made with `asked`, as the Java
     * worker does: takes a new one, keeps it (localStorage) and only then uses it. The old one works until the new one
     * is first used, so a tab closed in between comes back with one that works. Nothing to do when the token changed
     * since `asked`; a failure is left to the next answer, which asks again.
     */
    async rotate(asked) {
        if (this.rotating || asked !== this.identity.hostToken || this.stopped) {
            return;
        }
        this.rotating = true;
        try {
            const answer = await this.api.rotateToken();
            if (typeof answer.hostToken !== 'string' || !answer.hostToken.startsWith(this.identity.hostId + '.')) {
                throw new Error('the answer holds no token of this host');
            }
            this.identity = { hostId: this.identity.hostId, hostToken: answer.hostToken };
            save(IDENTITY, this.identity);
            this.api.identity = this.identity;
        } catch (e) {
            console.warn('could not replace the host token; the old one works until then:', e.message);
        } finally {
            this.rotating = false;
        }
    }

    async renewGiveBackToken() {
        if (this.giveBack.expires - Date.now() > 5 * 60000) {
            return;
        }
        try {
            const answer = await this.api.giveBackToken();
            this.giveBack = { token: answer.giveBackToken, expires: Number(answer.giveBackTokenExpiresEpochMillis) };
        } catch (e) {
            // tried again in a minute; the old token lasts a while yet
        }
    }

    /** Ends the session: gives the running tasks back (by beacon, which outlives the page) and stops the workers. */
    stop() {
        if (this.stopped) {
            return;
        }
        this.stopped = true;
        const ids = [...this.running.keys()];
        if (ids.length > 0 && this.giveBack) {
            HostApi.giveBack(this.giveBack.token, ids);
        }
        this.flush(); // results computed and not yet reported
        this.abort.abort();
        clearInterval(this.heartbeatTimer);
        clearInterval(this.tokenTimer);
        this.runner?.close();
        this.running.clear();
        this.poke();
    }

    fail(error) {
        this.stop();
        this.view.stopped(error.status === 401 || error.status === 403
            ? 'The coordinator refused this host: ' + error.message
            : 'Stopped: ' + error.message);
    }

    render() {
        this.view.render(this);
    }
}

function outcomeOf(id, result) {
    const cpuTimeMillis = String(Math.round(result.cpuMillis));
    if (result.status === 'CANCELLED') {
        return { ...failure(id, 'GIVEN_BACK', 'task cancelled'), cpuTimeMillis };
    }
    if (result.status !== 'SUCCEEDED') {
        const stderr = result.stderrTail.trim();
        const message = result.message + (stderr ? '; standard error ends with:\n' + stderr.slice(-1000) : '');
        return { ...failure(id, 'COMPUTE_ERROR', message), cpuTimeMillis };
    }
    const bad = result.files.find(([name]) => !FILE_NAME.test(name));
    if (bad) {
        return { ...failure(id, 'COMPUTE_ERROR', 'the module wrote /output/' + bad[0].slice(0, 200)
            + ': only plain files directly under /output/ are kept (letters, digits, \'.\', \'_\', \'-\')'),
        cpuTimeMillis };
    }
    const size = outputSize(result.stdout, result.files);
    if (size > MAX_OUTPUT_BYTES) {
        return { ...failure(id, 'COMPUTE_ERROR', 'the output (standard output and the files under /output/) has '
            + size + ' bytes, more than the ' + MAX_OUTPUT_BYTES + ' a result may carry'), cpuTimeMillis };
    }
    return {
        resultId: id,
        success: { wasmOutput: { stdout: toBase64(result.stdout),
            files: result.files.map(([name, content]) => ({ name, content: toBase64(content) })) } },
        cpuTimeMillis,
    };
}

function failure(id, kind, message) {
    return { resultId: id, failure: { kind, message: message.slice(0, 2000) } };
}

/** A short summary of the browser, for the host's name ("Chrome 131 on Android"). */
function userAgentSummary() {
    const ua = navigator.userAgent;
    const browser = (/(Firefox|Edg|OPR|Chrome|Chromium|Safari)\/(\d+)/.exec(ua) || [null, 'Browser', ''])
        .slice(1).join(' ').replace('Edg', 'Edge').replace('OPR', 'Opera').trim();
    const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
        : /Mac OS/.test(ua) ? 'macOS' : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : 'unknown';
    return (browser + ' on ' + os).slice(0, 64);
}

/** The page: settings, Start/Stop, and what the session is doing. */
class View {
    constructor() {
        this.settings = { ...defaults(), ...load(SETTINGS) };
        this.session = null;
        this.battery = null;
        const cores = $('vol-cores');
        cores.max = String(Math.min(MAX_CORES, navigator.hardwareConcurrency || 2));
        cores.value = String(Math.min(this.settings.cores, Number(cores.max)));
        $('vol-cpu').value = String(this.settings.cpuLimit);
        $('vol-visible').checked = this.settings.visibleOnly;
        $('vol-charging').checked = this.settings.chargingOnly;
        for (const id of ['vol-cores', 'vol-cpu', 'vol-visible', 'vol-charging']) {
            $(id).addEventListener('input', () => this.read());
        }
        $('vol-start').addEventListener('click', () => this.start());
        $('vol-stop').addEventListener('click', () => this.stop('Stopped; your running tasks were given back.'));
        document.addEventListener('visibilitychange', () => this.session?.update());
        addEventListener('pagehide', () => this.session?.stop());
        if (navigator.getBattery) {
            navigator.getBattery().then((battery) => {
                this.battery = battery;
                battery.addEventListener('chargingchange', () => this.session?.update());
            }).catch(() => {});
        }
        if (!window.crossOriginIsolated) {
            $('vol-note').textContent = 'This page is not cross-origin isolated: tasks cannot be paused in place,'
                + ' only ended.';
        }
        this.read();
        this.idle('Not computing. Press Start to give this browser\'s spare time to science.');
    }

    read() {
        this.settings = {
            cores: Math.max(1, Math.min(Number($('vol-cores').max), Number($('vol-cores').value) || 1)),
            cpuLimit: Math.max(10, Math.min(100, Number($('vol-cpu').value) || 100)),
            visibleOnly: $('vol-visible').checked,
            chargingOnly: $('vol-charging').checked,
        };
        save(SETTINGS, this.settings);
        $('vol-cores-value').textContent = String(this.settings.cores);
        $('vol-cpu-value').textContent = this.settings.cpuLimit + '%';
        $('vol-cores').disabled = this.session !== null; // the workers are started with the session
        if (this.session) {
            this.session.settings = this.settings;
            this.session.update();
        }
    }

    async start() {
        $('vol-start').disabled = true;
        this.session = new Session(this.settings, this);
        $('vol-cores').disabled = true;
        $('vol-stop').disabled = false;
        try {
            await this.session.start();
        } catch (e) {
            this.session.stop();
            this.session = null;
            const signIn = e instanceof ApiError && e.status === 401;
            this.stopped(signIn ? 'Sign in first: volunteering needs your volunteer account.' : 'Could not start: '
                + e.message);
        }
    }

    stop(message) {
        this.session?.stop();
        this.stopped(message);
    }

    stopped(message) {
        this.session = null;
        $('vol-start').disabled = false;
        $('vol-stop').disabled = true;
        $('vol-cores').disabled = false;
        $('vol-tasks').replaceChildren();
        this.idle(message);
    }

    idle(message) {
        document.body.dataset.volunteer = 'idle';
        this.status(message);
    }

    status(message) {
        $('vol-status').textContent = message;
    }

    host(hostId, pausable) {
        $('vol-host').textContent = 'host #' + hostId;
        $('vol-note').textContent = pausable ? '' : 'This page is not cross-origin isolated: tasks cannot be paused in'
            + ' place, only ended.';
    }

    render(session) {
        if (session !== this.session) {
            return;
        }
        document.body.dataset.volunteer = 'running';
        const blocked = session.blocked();
        const computing = [...session.running.values()].filter((t) => t.state === 'running').length;
        this.status(blocked ?? (computing > 0
            ? 'Computing ' + computing + ' task' + (computing === 1 ? '' : 's') + (session.waiting && computing
                < session.settings.cores ? '; waiting for more work' : '')
            : session.waiting ?? 'Starting…'));
        $('vol-done').textContent = String(session.done);
        $('vol-credit').textContent = session.credit === null ? '–' : session.credit.toFixed(1);
        const list = $('vol-tasks');
        const items = [];
        for (const [id, t] of session.running) {
            const li = document.createElement('li');
            li.id = 'vol-task-' + id;
            li.dataset.state = t.state;
            const name = document.createElement('span');
            name.className = 'vol-task-name';
            name.textContent = t.app + ' · task ' + id;
            const bar = document.createElement('progress');
            bar.max = 1;
            if (t.state === 'running') {
                bar.value = t.progress;
            }
            const note = document.createElement('span');
            note.className = 'vol-task-note';
            note.textContent = t.state === 'fetching' ? 'fetching its module and inputs'
                : blocked ? 'paused' : Math.round(t.progress * 100) + '%';
            li.append(name, bar, note);
            items.push(li);
        }
        list.replaceChildren(...items);
    }
}

new View();
