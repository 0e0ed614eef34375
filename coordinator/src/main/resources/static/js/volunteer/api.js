// The browser host API (/api/v1/browser, docs/protocol.md): JSON bodies in protobuf's canonical JSON mapping, the
// host token as a Bearer token, errors as application/problem+json.
const BASE = '/api/v1/browser';

/** A refused call: the HTTP status and the problem's detail. */
export class ApiError extends Error {
    constructor(status, detail) {
        super(detail || 'HTTP ' + status);
        this.status = status;
    }

    /** Whether asking again later can help (the coordinator is away or busy), rather than a refusal. */
    get transient() {
        return this.status === 0 || this.status === 429 || this.status >= 500;
    }
}

/** Throws the ApiError of a response that is not a success, with its problem's detail. */
async function refused(response) {
    if (!response.ok) {
        let detail = null;
        try {
            detail = (await response.json()).detail;
        } catch (e) {
            // not problem+json: the status says enough
        }
        throw new ApiError(response.status, detail);
    }
}

async function call(path, body, headers, signal) {
    let response;
    const text = JSON.stringify(body);
    try {
        response = await fetch(BASE + path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Starling-Protocol': '1', Accept: 'application/json',
                ...headers },
            body: text,
            credentials: 'same-origin',
            keepalive: text.length < 60000, // a report sent as the tab closes still arrives (64 KiB at most)
            signal,
        });
    } catch (e) {
        if (e.name === 'AbortError') {
            throw e;
        }
        throw new ApiError(0, 'the coordinator cannot be reached (' + e.message + ')');
    }
    await refused(response);
    return response.status === 204 ? {} : response.json();
}

export class HostApi {
    constructor(identity) {
        this.identity = identity; // {hostId, hostToken}
    }

    /**
     * A call with the host token. One refused (401) with a token replaced while it was on its way (a rotation: the
     * new token's first use ends the old one) is made again with the new token.
     */
    async call(path, body, signal) {
        const token = this.identity.hostToken;
        try {
            return await call(path, body, { Authorization: 'Bearer ' + token }, signal);
        } catch (e) {
            if (e instanceof ApiError && e.status === 401 && token !== this.identity.hostToken) {
                return call(path, body, { Authorization: 'Bearer ' + this.identity.hostToken }, signal);
            }
            throw e;
        }
    }

    /** Registers (or, with a kept identity, re-registers) this browser as a host of the signed-in volunteer. */
    static register(request, csrf) {
        return call('/register', request, csrf ? { [csrf.header]: csrf.token } : {});
    }

    work(maxTasks, waitMillis, signal) {
        return this.call('/work', { maxTasks, waitMillis }, signal);
    }

    heartbeat(tasks) {
        return this.call('/heartbeat', { tasks });
    }

    report(results) {
        return this.call('/report', { results });
    }

    /** A new host token (the coordinator asked for one); the current one works until the new one is first used. */
    rotateToken() {
        return this.call('/rotate-token', {});
    }

    giveBackToken() {
        return this.call('/give-back-token', {});
    }

    /**
     * Gives tasks back with navigator.sendBeacon, which survives the page closing but cannot carry an Authorization
     * header: the short-lived give-back token travels in the body.
     */
    static giveBack(token, resultIds) {
        const body = JSON.stringify({ token, resultIds: resultIds.map(String) });
        const blob = new Blob([body], { type: 'text/plain' });
        return navigator.sendBeacon(BASE + '/give-back', blob);
    }

    /** GETs a blob's manifest or bytes from the coordinator, with the task's fetch token. */
    static async blob(path, token, range) {
        const headers = { 'Starling-Fetch-Token': token, 'Starling-Protocol': '1' };
        if (range) {
            headers.Range = 'bytes=' + range[0] + '-' + range[1];
        }
        let response;
        try {
            response = await fetch(BASE + '/blobs/' + path, { headers, credentials: 'same-origin' });
        } catch (e) {
            throw new ApiError(0, 'the coordinator cannot be reached (' + e.message + ')');
        }
        await refused(response);
        return response;
    }
}
