// The pause points of a module in the browser: the same rewrite as the Java sandbox's YieldInstrumentation
// (task-sdk/wasm), byte for byte, so that a Web Worker, which can block only inside an import, gets control about
// once per million instructions executed, whatever the module computes.
//
// It adds an import starling.__yield: () -> i32 and a mutable i32 global (the call budget), and one i32 local to every
// function (the loop budget): at every function entry, budget -= the function's instructions outside its loops, and
// at or below zero budget = __yield(); at every loop header, loopBudget -= the loop body's instructions outside its
// inner loops, and at or below zero loopBudget = __yield(). Custom sections are dropped (function indices move by one).
// Modules were checked at deploy (ModuleCheck); what this reads and does not know is refused with an Error.
export const LOOP_BUDGET = 1000000;
export const CALL_BUDGET = 1000000;
const MAX_WEIGHT = 10000;

const [TYPE, IMPORT, FUNCTION, GLOBAL, EXPORT, START, ELEMENT, CODE] = [1, 2, 3, 6, 7, 8, 9, 10];
const OP = {
    BLOCK: 0x02, LOOP: 0x03, IF: 0x04, END: 0x0B, CALL: 0x10, REF_FUNC: 0xD2, LOCAL_GET: 0x20, LOCAL_SET: 0x21,
    LOCAL_TEE: 0x22, GLOBAL_GET: 0x23, GLOBAL_SET: 0x24, I32_CONST: 0x41, I32_LE_S: 0x4C, I32_SUB: 0x6B,
    EMPTY_BLOCK: 0x40,
};

class Reader {
    constructor(bytes, start = 0, end = bytes.length) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    atEnd() {
        return this.pos >= this.end;
    }

    u8() {
        if (this.pos >= this.end) {
            throw new Error('unexpected end of the module at byte ' + this.pos);
        }
        return this.bytes[this.pos++];
    }

    skip(count) {
        if (count < 0 || count > this.end - this.pos) {
            throw new Error('unexpected end of the module at byte ' + this.pos);
        }
        this.pos += count;
    }

    u32() {
        let result = 0;
        for (let shift = 0; shift < 35; shift += 7) {
            const b = this.u8();
            result += (b & 0x7F) * 2 ** shift;
            if ((b & 0x80) === 0) {
                if (result > 0xFFFFFFFF) {
                    break;
                }
                return result;
            }
        }
        throw new Error('a number too large at byte ' + this.pos);
    }

    skipSigned(bits) {
        for (let i = 0; i < Math.ceil(bits / 7); i++) {
            if ((this.u8() & 0x80) === 0) {
                return;
            }
        }
        throw new Error('a number too large at byte ' + this.pos);
    }

    name() {
        const length = this.u32();
        this.skip(length);
    }
}

class Writer {
    constructor() {
        this.buffer = new Uint8Array(1024);
        this.size = 0;
    }

    room(more) {
        if (this.size + more > this.buffer.length) {
            const grown = new Uint8Array(Math.max(this.size + more, 2 * this.buffer.length));
            grown.set(this.buffer.subarray(0, this.size));
            this.buffer = grown;
        }
    }

    byte(b) {
        this.room(1);
        this.buffer[this.size++] = b;
    }

    bytes(array) {
        this.room(array.length);
        this.buffer.set(array, this.size);
        this.size += array.length;
    }

    u32(value) {
        let x = value >>> 0;
        const out = [];
        do {
            const b = x & 0x7F;
            x >>>= 7;
            out.push(x === 0 ? b : b | 0x80);
        } while (x !== 0);
        this.bytes(out);
    }

    s32(value) {
        let x = value | 0;
        const out = [];
        for (;;) {
            const b = x & 0x7F;
            x >>= 7;
            const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
            out.push(done ? b : b | 0x80);
            if (done) {
                break;
            }
        }
        this.bytes(out);
    }

    name(text) {
        const utf8 = new TextEncoder().encode(text);
        this.u32(utf8.length);
        this.bytes(utf8);
    }

    section(id, content) {
        this.byte(id);
        this.u32(content.length);
        this.bytes(content);
    }

    toBytes() {
        return this.buffer.slice(0, this.size);
    }
}

function valueType(r) {
    const type = r.u8();
    if (![0x7F, 0x7E, 0x7D, 0x7C, 0x70, 0x6F].includes(type)) {
        throw new Error('an unknown or unsupported value type 0x' + type.toString(16));
    }
}

function referenceType(r) {
    const type = r.u8();
    if (type !== 0x70 && type !== 0x6F) {
        throw new Error('an unknown reference type 0x' + type.toString(16));
    }
}

function memoryIndex(r) {
    if (r.u8() !== 0) {
        throw new Error('more than one memory (multi-memory)');
    }
}

/** Reads one instruction and its immediates; returns its opcode (prefixed ones as prefix << 16 | sub). */
function next(r) {
    const opcode = r.u8();
    switch (opcode) {
        case 0x00: case 0x01: case 0x05: case 0x0B: case 0x0F: case 0x1A: case 0x1B: case 0xD1:
            break;
        case 0x02: case 0x03: case 0x04:
            r.skipSigned(33);
            break;
        case 0x0C: case 0x0D: case 0x10: case 0xD2:
        case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
            r.u32();
            break;
        case 0x0E: {
            const count = r.u32();
            for (let i = 0; i <= count; i++) {
                r.u32();
            }
            break;
        }
        case 0x11:
            r.u32();
            r.u32();
            break;
        case 0x1C: {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
                valueType(r);
            }
            break;
        }
        case 0x3F: case 0x40:
            memoryIndex(r);
            break;
        case 0x41:
            r.skipSigned(32);
            break;
        case 0x42:
            r.skipSigned(64);
            break;
        case 0x43:
            r.skip(4);
            break;
        case 0x44:
            r.skip(8);
            break;
        case 0xD0:
            referenceType(r);
            break;
        case 0xFC: {
            const sub = r.u32();
            if (sub === 8) {
                r.u32();
                memoryIndex(r);
            } else if ([9, 13, 15, 16, 17].includes(sub)) {
                r.u32();
            } else if (sub === 10) {
                memoryIndex(r);
                memoryIndex(r);
            } else if (sub === 11) {
                memoryIndex(r);
            } else if (sub === 12 || sub === 14) {
                r.u32();
                r.u32();
            } else if (sub > 7) {
                throw new Error('an unknown instruction 0xFC ' + sub);
            }
            return (0xFC << 16) | sub;
        }
        default:
            if (opcode >= 0x28 && opcode <= 0x3E) {
                if (r.u32() & 0x40) {
                    throw new Error('more than one memory (multi-memory)');
                }
                r.u32();
            } else if (!(opcode >= 0x45 && opcode <= 0xC4)) {
                throw new Error('an instruction Starling does not run: 0x' + opcode.toString(16));
            }
    }
    return opcode;
}

function skipLimits(r) {
    const flags = r.u8();
    if (flags > 1) {
        throw new Error('a shared or 64-bit memory or table');
    }
    r.u32();
    if (flags === 1) {
        r.u32();
    }
}

const order = (id) => (id === 12 ? 95 : id === 10 ? 100 : id === 11 ? 110 : id * 10);

/** The instrumented module's bytes. */
export function instrument(module) {
    const m = module instanceof Uint8Array ? module : new Uint8Array(module);
    const magic = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0];
    if (m.length < 8 || magic.some((b, i) => m[i] !== b)) {
        throw new Error('not a WebAssembly 1.0 module');
    }
    const sections = [];
    const top = new Reader(m, 8);
    while (!top.atEnd()) {
        const id = top.u8();
        const size = top.u32();
        const start = top.pos;
        top.skip(size);
        if (id > 12) {
            throw new Error('an unknown or unsupported section id ' + id);
        }
        sections.push({ id, start, end: start + size });
    }
    const typeParams = [];
    let importedFunctions = 0;
    let importedGlobals = 0;
    let definedGlobals = 0;
    const functionTypes = [];
    for (const s of sections) {
        const r = new Reader(m, s.start, s.end);
        if (s.id === TYPE) {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
                if (r.u8() !== 0x60) {
                    throw new Error('a type that is not a function type');
                }
                const params = r.u32();
                for (let p = 0; p < params; p++) {
                    valueType(r);
                }
                const results = r.u32();
                for (let p = 0; p < results; p++) {
                    valueType(r);
                }
                typeParams.push(params);
            }
        } else if (s.id === IMPORT) {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
                r.name();
                r.name();
                const kind = r.u8();
                if (kind === 0) {
                    r.u32();
                    importedFunctions++;
                } else if (kind === 1) {
                    referenceType(r);
                    skipLimits(r);
                } else if (kind === 2) {
                    skipLimits(r);
                } else if (kind === 3) {
                    valueType(r);
                    r.u8();
                    importedGlobals++;
                } else {
                    throw new Error('an import of unknown kind ' + kind);
                }
            }
        } else if (s.id === FUNCTION) {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
                functionTypes.push(r.u32());
            }
        } else if (s.id === GLOBAL) {
            definedGlobals = r.u32();
        }
    }
    const yieldType = typeParams.length;
    const yieldFunction = importedFunctions;
    const budgetGlobal = importedGlobals + definedGlobals;
    const shift = (index) => (index >= importedFunctions ? index + 1 : index);

    const out = new Writer();
    out.bytes(magic);
    const pending = { [TYPE]: true, [IMPORT]: true, [GLOBAL]: true };
    const builders = {
        [TYPE]: (s) => types(m, s, yieldType),
        [IMPORT]: (s) => imports(m, s, yieldType),
        [GLOBAL]: (s) => globals(m, s, shift),
    };
    const flush = (before) => {
        for (const id of [TYPE, IMPORT, GLOBAL]) {
            if (pending[id] && before > order(id)) {
                out.section(id, builders[id](null));
                pending[id] = false;
            }
        }
    };
    for (const s of sections) {
        if (s.id === 0) {
            continue;
        }
        flush(order(s.id));
        if (builders[s.id]) {
            out.section(s.id, builders[s.id](s));
            pending[s.id] = false;
        } else if (s.id === EXPORT) {
            out.section(EXPORT, exports(m, s, shift));
        } else if (s.id === START) {
            const w = new Writer();
            w.u32(shift(new Reader(m, s.start, s.end).u32()));
            out.section(START, w.toBytes());
        } else if (s.id === ELEMENT) {
            out.section(ELEMENT, elements(m, s, shift));
        } else if (s.id === CODE) {
            out.section(CODE, code(m, s, shift, typeParams, functionTypes, yieldFunction, budgetGlobal));
        } else {
            out.section(s.id, m.subarray(s.start, s.end));
        }
    }
    flush(Infinity);
    return out.toBytes();
}

function types(m, s, count) {
    const w = new Writer();
    w.u32(count + 1);
    if (s) {
        const r = new Reader(m, s.start, s.end);
        r.u32();
        w.bytes(m.subarray(r.pos, s.end));
    }
    w.bytes([0x60, 0, 1, 0x7F]);
    return w.toBytes();
}

function imports(m, s, yieldType) {
    const w = new Writer();
    let count = 0;
    let rest = 0;
    if (s) {
        const r = new Reader(m, s.start, s.end);
        count = r.u32();
        rest = r.pos;
    }
    w.u32(count + 1);
    if (s) {
        w.bytes(m.subarray(rest, s.end));
    }
    w.name('starling');
    w.name('__yield');
    w.byte(0);
    w.u32(yieldType);
    return w.toBytes();
}

function copyShifted(r, w, shift, opcode, start) {
    if (opcode === OP.CALL || opcode === OP.REF_FUNC) {
        w.byte(opcode);
        w.u32(shift(new Reader(r.bytes, start + 1, r.pos).u32()));
    } else {
        w.bytes(r.bytes.subarray(start, r.pos));
    }
}

function constant(r, w, shift) {
    let opcode;
    do {
        const start = r.pos;
        opcode = next(r);
        copyShifted(r, w, shift, opcode, start);
    } while (opcode !== OP.END);
}

function globals(m, s, shift) {
    const w = new Writer();
    let count = 0;
    let r = null;
    if (s) {
        r = new Reader(m, s.start, s.end);
        count = r.u32();
    }
    w.u32(count + 1);
    for (let i = 0; i < count; i++) {
        const start = r.pos;
        valueType(r);
        r.u8();
        w.bytes(m.subarray(start, r.pos));
        constant(r, w, shift);
    }
    w.bytes([0x7F, 1, OP.I32_CONST]);
    w.s32(CALL_BUDGET);
    w.byte(OP.END);
    return w.toBytes();
}

function exports(m, s, shift) {
    const w = new Writer();
    const r = new Reader(m, s.start, s.end);
    const count = r.u32();
    w.u32(count);
    for (let i = 0; i < count; i++) {
        const start = r.pos;
        r.name();
        w.bytes(m.subarray(start, r.pos));
        const kind = r.u8();
        const index = r.u32();
        w.byte(kind);
        w.u32(kind === 0 ? shift(index) : index);
    }
    return w.toBytes();
}

function elements(m, s, shift) {
    const w = new Writer();
    const r = new Reader(m, s.start, s.end);
    const count = r.u32();
    w.u32(count);
    for (let i = 0; i < count; i++) {
        const flags = r.u32();
        w.u32(flags);
        if (flags > 7) {
            throw new Error('an element segment with unknown flags ' + flags);
        }
        const active = (flags & 1) === 0;
        const explicitTable = (flags & 2) !== 0;
        const expressions = (flags & 4) !== 0;
        if (active && explicitTable) {
            w.u32(r.u32());
        }
        if (active) {
            constant(r, w, shift);
        }
        if (!active || explicitTable) {
            w.byte(r.u8());
        }
        const items = r.u32();
        w.u32(items);
        for (let j = 0; j < items; j++) {
            if (expressions) {
                constant(r, w, shift);
            } else {
                w.u32(shift(r.u32()));
            }
        }
    }
    return w.toBytes();
}

function code(m, s, shift, typeParams, functionTypes, yieldFunction, budgetGlobal) {
    const w = new Writer();
    const r = new Reader(m, s.start, s.end);
    const count = r.u32();
    if (count !== functionTypes.length) {
        throw new Error('the code section has ' + count + ' bodies for ' + functionTypes.length + ' functions');
    }
    w.u32(count);
    for (let f = 0; f < count; f++) {
        const size = r.u32();
        const end = r.pos + size;
        const b = new Reader(m, r.pos, end);
        r.skip(size);
        const type = functionTypes[f];
        if (type >= typeParams.length) {
            throw new Error('function ' + f + ' has an unknown type ' + type);
        }
        const body = new Writer();
        fn(b, body, shift, typeParams[type], yieldFunction, budgetGlobal);
        w.u32(body.size);
        w.bytes(body.toBytes());
    }
    return w.toBytes();
}

function ifYield(w, yieldFunction, setOpcode, index) {
    w.bytes([OP.IF, OP.EMPTY_BLOCK, OP.CALL]);
    w.u32(yieldFunction);
    w.byte(setOpcode);
    w.u32(index);
    w.byte(OP.END);
}

function fn(b, w, shift, params, yieldFunction, budgetGlobal) {
    const groups = b.u32();
    let locals = params;
    const localsStart = b.pos;
    for (let g = 0; g < groups; g++) {
        locals += b.u32();
        valueType(b);
    }
    if (locals >= 50000) {
        throw new Error('a function with more than 50,000 locals');
    }
    const loopBudget = locals;
    w.u32(groups + 1);
    w.bytes(b.bytes.subarray(localsStart, b.pos));
    w.bytes([1, 0x7F]);

    const loopWeights = [];
    const entryWeight = weigh(new Reader(b.bytes, b.pos, b.end), loopWeights);

    w.byte(OP.I32_CONST);
    w.s32(LOOP_BUDGET);
    w.byte(OP.LOCAL_SET);
    w.u32(loopBudget);
    w.byte(OP.GLOBAL_GET);
    w.u32(budgetGlobal);
    w.byte(OP.I32_CONST);
    w.s32(entryWeight);
    w.byte(OP.I32_SUB);
    w.byte(OP.GLOBAL_SET);
    w.u32(budgetGlobal);
    w.byte(OP.GLOBAL_GET);
    w.u32(budgetGlobal);
    w.bytes([OP.I32_CONST, 0, OP.I32_LE_S]);
    ifYield(w, yieldFunction, OP.GLOBAL_SET, budgetGlobal);

    let loop = 0;
    while (!b.atEnd()) {
        const start = b.pos;
        const opcode = next(b);
        copyShifted(b, w, shift, opcode, start);
        if (opcode === OP.LOOP) {
            w.byte(OP.LOCAL_GET);
            w.u32(loopBudget);
            w.byte(OP.I32_CONST);
            w.s32(loopWeights[loop++]);
            w.byte(OP.I32_SUB);
            w.byte(OP.LOCAL_TEE);
            w.u32(loopBudget);
            w.bytes([OP.I32_CONST, 0, OP.I32_LE_S]);
            ifYield(w, yieldFunction, OP.LOCAL_SET, loopBudget);
        }
    }
}

/** The instructions outside any loop; adds to loopWeights those of each loop's own level, in loop order. */
function weigh(code, loopWeights) {
    const owner = [-1];
    const isLoop = [false];
    const counts = [];
    let depth = 0;
    let entry = 0;
    const clamp = (n) => Math.max(1, Math.min(MAX_WEIGHT, n));
    while (!code.atEnd()) {
        const opcode = next(code);
        const current = owner[depth];
        if (current < 0) {
            entry++;
        } else {
            counts[current]++;
        }
        if (opcode === OP.BLOCK || opcode === OP.IF || opcode === OP.LOOP) {
            depth++;
            isLoop[depth] = opcode === OP.LOOP;
            if (isLoop[depth]) {
                loopWeights.push(0);
                counts.push(0);
                owner[depth] = loopWeights.length - 1;
            } else {
                owner[depth] = current;
            }
        } else if (opcode === OP.END) {
            if (depth === 0) {
                if (!code.atEnd()) {
                    throw new Error('code after the end of a function');
                }
            } else {
                if (isLoop[depth]) {
                    loopWeights[owner[depth]] = clamp(counts[owner[depth]]);
                }
                depth--;
            }
        }
    }
    if (depth !== 0) {
        throw new Error('a function body that ends inside a block');
    }
    return clamp(entry);
}
