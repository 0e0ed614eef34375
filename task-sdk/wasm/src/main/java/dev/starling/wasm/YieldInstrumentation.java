package dev.starling.wasm;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a module so that it calls the host now and then: the pause mechanism a runner needs when it cannot stop
 * compiled code from outside, as in a browser, where a Web Worker can block only inside an import (issue 20). The
 * Java worker does not use it: Chicory's compiled code already has a check at every back edge and call, which
 * {@link SafepointCompiler} points at {@link Safepoints} at no extra cost, while this rewrite cost 4-80% more CPU (rk4 the worst)
 * (docs/performance.md). It is kept, tested, for the browser runner, and it is the walk {@link ModuleCheck} reads
 * modules with ({@link #features}). The rewrite is a pure function of the module's bytes.
 *
 * <p>It adds an import {@code starling.__yield: () -> i32} and a mutable i32 global (the call budget), and one i32
 * local to every function (the loop budget):
 * <ul>
 *   <li>at every function entry, {@code budget -= w}, where {@code w} is the number of the function's instructions
 *       outside its loops; at or below zero, {@code budget = __yield()}; the loop budget starts at
 *       {@value #LOOP_BUDGET};</li>
 *   <li>at every loop header, {@code loopBudget -= w}, where {@code w} is the number of instructions of the loop's
 *       body outside its inner loops; at or below zero, {@code loopBudget = __yield()}.</li>
 * </ul>
 * So {@code __yield} is called about once per million instructions executed (the budget it returns), whatever the
 * code does: an infinite loop or an endless recursion reaches it as surely as a long computation. Custom sections
 * (names, DWARF) are dropped: function indices move by one and their offsets would no longer hold.
 */
final class YieldInstrumentation {
    static final String MODULE = "starling";
    static final String NAME = "__yield";
    /** The loop budget a function starts with, in instructions. */
    static final int LOOP_BUDGET = 1_000_000;
    /** The call budget the module starts with, in instructions. */
    static final int CALL_BUDGET = 1_000_000;
    /** The most one loop iteration or function entry is charged, so that a huge body cannot skip a yield. */
    static final int MAX_WEIGHT = 10_000;

    private static final int TYPE = 1;
    private static final int IMPORT = 2;
    private static final int FUNCTION = 3;
    private static final int GLOBAL = 6;
    private static final int EXPORT = 7;
    private static final int START = 8;
    private static final int ELEMENT = 9;
    private static final int CODE = 10;

    private YieldInstrumentation() {}

    private record Section(int id, int start, int end) {}

    /**
     * Reads every section and instruction of a module as {@link #instrument} does, and refuses what Starling does not
     * run: the deploy check's structural half ({@link ModuleCheck}).
     *
     * @throws WasmReader.Malformed when the bytes are not a well-formed module
     * @throws Instructions.UnsupportedFeature when it uses a feature outside those Starling runs
     */
    static void features(byte[] module) {
        instrument(module);
    }

    /**
     * The instrumented module.
     *
     * @throws WasmReader.Malformed when the bytes are not a well-formed module
     * @throws Instructions.UnsupportedFeature when it uses an instruction outside those Starling runs
     */
    static byte[] instrument(byte[] module) {
        WasmReader in = new WasmReader(module);
        if (module.length < 8 || in.u8() != 0 || in.u8() != 'a' || in.u8() != 's' || in.u8() != 'm'
                || in.u8() != 1 || in.u8() != 0 || in.u8() != 0 || in.u8() != 0) {
            throw new WasmReader.Malformed("not a WebAssembly 1.0 module (wrong magic number or version)");
        }
        List<Section> sections = new ArrayList<>();
        while (!in.atEnd()) {
            int id = in.u8();
            int size = in.u32();
            int start = in.position();
            in.skip(size);
            if (id == 13) {
                throw new Instructions.UnsupportedFeature("exception handling (a tag section):"
                        + " build C++ with -fno-exceptions");
            }
            if (id > 12) {
                throw new WasmReader.Malformed("an unknown section id " + id + " at byte " + (start - 2));
            }
            sections.add(new Section(id, start, start + size));
        }

        // what the rewrite needs to know: types' parameter counts, imports, defined functions' types
        List<Integer> typeParams = new ArrayList<>();
        int importedFunctions = 0;
        int importedGlobals = 0;
        int definedGlobals = 0;
        List<Integer> functionTypes = new ArrayList<>();
        for (Section s : sections) {
            WasmReader r = new WasmReader(module, s.start, s.end);
            switch (s.id) {
                case TYPE -> {
                    int count = r.u32();
                    for (int i = 0; i < count; i++) {
                        if (r.u8() != 0x60) {
                            throw new Instructions.UnsupportedFeature("a type that is not a function type (WasmGC)");
                        }
                        int params = r.u32();
                        for (int p = 0; p < params; p++) {
                            Instructions.valueType(r);
                        }
                        int results = r.u32();
                        for (int p = 0; p < results; p++) {
                            Instructions.valueType(r);
                        }
                        typeParams.add(params);
                    }
                }
                case IMPORT -> {
                    int count = r.u32();
                    for (int i = 0; i < count; i++) {
                        r.name();
                        r.name();
                        int kind = r.u8();
                        switch (kind) {
                            case 0 -> {
                                r.u32();
                                importedFunctions++;
                            }
                            case 1 -> {
                                Instructions.referenceType(r);
                                skipLimits(r);
                            }
                            case 2 -> skipLimits(r);
                            case 3 -> {
                                Instructions.valueType(r);
                                r.u8();
                                importedGlobals++;
                            }
                            default -> throw new WasmReader.Malformed("an import of unknown kind " + kind);
                        }
                    }
                }
                case FUNCTION -> {
                    int count = r.u32();
                    for (int i = 0; i < count; i++) {
                        functionTypes.add(r.u32());
                    }
                }
                case GLOBAL -> definedGlobals = r.u32();
                case 4 -> {
                    int count = r.u32();
                    for (int i = 0; i < count; i++) {
                        Instructions.referenceType(r);
                        skipLimits(r);
                    }
                }
                case 5 -> {
                    int count = r.u32();
                    if (count > 1) {
                        throw new Instructions.UnsupportedFeature("more than one memory (multi-memory)");
                    }
                    for (int i = 0; i < count; i++) {
                        skipLimits(r);
                    }
                }
                default -> { }
            }
        }
        int yieldType = typeParams.size();
        int yieldFunction = importedFunctions;
        int budgetGlobal = importedGlobals + definedGlobals;
        Shift shift = new Shift(importedFunctions);

        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length + module.length / 8 + 64);
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        boolean wroteType = false;
        boolean wroteImport = false;
        boolean wroteGlobal = false;
        for (Section s : sections) {
            if (s.id == 0) {
                continue; // custom sections: names and debug information would no longer match
            }
            int order = order(s.id);
            if (!wroteType && order > order(TYPE)) {
                section(out, TYPE, types(module, null, yieldType));
                wroteType = true;
            }
            if (!wroteImport && order > order(IMPORT)) {
                section(out, IMPORT, imports(module, null, yieldType));
                wroteImport = true;
            }
            if (!wroteGlobal && order > order(GLOBAL)) {
                section(out, GLOBAL, globals(module, null, shift));
                wroteGlobal = true;
            }
            switch (s.id) {
                case TYPE -> {
                    section(out, TYPE, types(module, s, yieldType));
                    wroteType = true;
                }
                case IMPORT -> {
                    section(out, IMPORT, imports(module, s, yieldType));
                    wroteImport = true;
                }
                case GLOBAL -> {
                    section(out, GLOBAL, globals(module, s, shift));
                    wroteGlobal = true;
                }
                case EXPORT -> section(out, EXPORT, exports(module, s, shift));
                case START -> {
                    ByteArrayOutputStream start = new ByteArrayOutputStream();
                    WasmReader.writeU32(start, shift.apply(new WasmReader(module, s.start, s.end).u32()));
                    section(out, START, start.toByteArray());
                }
                case ELEMENT -> section(out, ELEMENT, elements(module, s, shift));
                case CODE -> section(out, CODE,
                        code(module, s, shift, typeParams, functionTypes, yieldFunction, budgetGlobal));
                default -> section(out, s.id, java.util.Arrays.copyOfRange(module, s.start, s.end));
            }
        }
        if (!wroteType) {
            section(out, TYPE, types(module, null, yieldType));
        }
        if (!wroteImport) {
            section(out, IMPORT, imports(module, null, yieldType));
        }
        if (!wroteGlobal) {
            section(out, GLOBAL, globals(module, null, shift));
        }
        return out.toByteArray();
    }

    /** Where a section goes in a module: by id, except that data count (12) comes before code (10). */
    private static int order(int id) {
        return switch (id) {
            case 12 -> 95;
            case 10 -> 100;
            case 11 -> 110;
            default -> id * 10;
        };
    }

    private static void skipLimits(WasmReader r) {
        int flags = r.u8();
        if (flags > 1) {
            throw new Instructions.UnsupportedFeature(
                    "a shared or 64-bit memory or table (threads, memory64): build without -pthread");
        }
        r.u32();
        if (flags == 1) {
            r.u32();
        }
    }

    /** Function indices of defined functions move up by one: the yield import comes after the other imports. */
    private record Shift(int importedFunctions) {
        int apply(int index) {
            return index >= importedFunctions ? index + 1 : index;
        }
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        WasmReader.writeU32(out, content.length);
        out.writeBytes(content);
    }

    private static byte[] types(byte[] module, Section s, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WasmReader.writeU32(out, count + 1);
        if (s != null) {
            WasmReader r = new WasmReader(module, s.start, s.end);
            r.u32();
            out.write(module, r.position(), s.end - r.position());
        }
        out.writeBytes(new byte[] {0x60, 0, 1, 0x7F}); // () -> i32
        return out.toByteArray();
    }

    private static byte[] imports(byte[] module, Section s, int yieldType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = 0;
        int rest = 0;
        if (s != null) {
            WasmReader r = new WasmReader(module, s.start, s.end);
            count = r.u32();
            rest = r.position();
        }
        WasmReader.writeU32(out, count + 1);
        if (s != null) {
            out.write(module, rest, s.end - rest);
        }
        WasmReader.writeName(out, MODULE);
        WasmReader.writeName(out, NAME);
        out.write(0);
        WasmReader.writeU32(out, yieldType);
        return out.toByteArray();
    }

    private static byte[] globals(byte[] module, Section s, Shift shift) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = 0;
        WasmReader r = null;
        if (s != null) {
            r = new WasmReader(module, s.start, s.end);
            count = r.u32();
        }
        WasmReader.writeU32(out, count + 1);
        for (int i = 0; i < count; i++) {
            int start = r.position();
            Instructions.valueType(r);
            r.u8();
            out.write(module, start, r.position() - start);
            constant(r, out, shift);
        }
        out.writeBytes(new byte[] {0x7F, 1, Instructions.I32_CONST});
        WasmReader.writeS32(out, CALL_BUDGET);
        out.write(Instructions.END);
        return out.toByteArray();
    }

    /** Copies a constant expression, moving the indices of {@code ref.func}. */
    private static void constant(WasmReader r, ByteArrayOutputStream out, Shift shift) {
        int opcode;
        do {
            int start = r.position();
            opcode = Instructions.next(r);
            copyShifted(r, out, shift, opcode, start);
        } while (opcode != Instructions.END);
    }

    /** Copies one instruction that {@link Instructions#next} just read, moving function indices. */
    private static void copyShifted(WasmReader r, ByteArrayOutputStream out, Shift shift, int opcode, int start) {
        byte[] module = r.bytes();
        if (opcode == Instructions.CALL || opcode == Instructions.REF_FUNC) {
            out.write(opcode);
            WasmReader.writeU32(out, shift.apply(new WasmReader(module, start + 1, r.position()).u32()));
        } else {
            out.write(module, start, r.position() - start);
        }
    }

    private static byte[] exports(byte[] module, Section s, Shift shift) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WasmReader r = new WasmReader(module, s.start, s.end);
        int count = r.u32();
        WasmReader.writeU32(out, count);
        for (int i = 0; i < count; i++) {
            WasmReader.writeName(out, r.name());
            int kind = r.u8();
            int index = r.u32();
            out.write(kind);
            WasmReader.writeU32(out, kind == 0 ? shift.apply(index) : index);
        }
        return out.toByteArray();
    }

    private static byte[] elements(byte[] module, Section s, Shift shift) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WasmReader r = new WasmReader(module, s.start, s.end);
        int count = r.u32();
        WasmReader.writeU32(out, count);
        for (int i = 0; i < count; i++) {
            int flags = r.u32();
            WasmReader.writeU32(out, flags);
            if (flags > 7) {
                throw new WasmReader.Malformed("an element segment with unknown flags " + flags);
            }
            boolean active = (flags & 1) == 0;
            boolean explicitTable = (flags & 2) != 0;
            boolean expressions = (flags & 4) != 0;
            if (active && explicitTable) {
                WasmReader.writeU32(out, r.u32());
            }
            if (active) {
                constant(r, out, shift);
            }
            if (!active || explicitTable) {
                out.write(r.u8()); // element kind, or reference type
            }
            int items = r.u32();
            WasmReader.writeU32(out, items);
            for (int j = 0; j < items; j++) {
                if (expressions) {
                    constant(r, out, shift);
                } else {
                    WasmReader.writeU32(out, shift.apply(r.u32()));
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] code(byte[] module, Section s, Shift shift, List<Integer> typeParams,
            List<Integer> functionTypes, int yieldFunction, int budgetGlobal) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.end - s.start + (s.end - s.start) / 8);
        WasmReader r = new WasmReader(module, s.start, s.end);
        int count = r.u32();
        if (count != functionTypes.size()) {
            throw new WasmReader.Malformed("the code section has " + count + " bodies for "
                    + functionTypes.size() + " functions");
        }
        WasmReader.writeU32(out, count);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int f = 0; f < count; f++) {
            int size = r.u32();
            int end = r.position() + size;
            WasmReader b = new WasmReader(module, r.position(), end);
            r.skip(size);
            int type = functionTypes.get(f);
            if (type < 0 || type >= typeParams.size()) {
                throw new WasmReader.Malformed("function " + f + " has an unknown type " + type);
            }
            body.reset();
            function(b, body, shift, typeParams.get(type), yieldFunction, budgetGlobal);
            WasmReader.writeU32(out, body.size());
            out.writeBytes(body.toByteArray());
        }
        return out.toByteArray();
    }

    private static void function(WasmReader b, ByteArrayOutputStream out, Shift shift, int params,
            int yieldFunction, int budgetGlobal) {
        int groups = b.u32();
        long locals = params;
        int localsStart = b.position();
        for (int g = 0; g < groups; g++) {
            locals += Integer.toUnsignedLong(b.u32());
            Instructions.valueType(b);
        }
        if (locals >= 50_000) {
            throw new Instructions.UnsupportedFeature("a function with more than 50,000 locals");
        }
        int loopBudget = (int) locals;
        WasmReader.writeU32(out, groups + 1);
        out.write(b.bytes(), localsStart, b.position() - localsStart);
        out.writeBytes(new byte[] {1, 0x7F});

        // first pass: the weight of the function entry and of each loop (instructions at their own level)
        int codeStart = b.position();
        List<Integer> loopWeights = new ArrayList<>();
        int entryWeight = weigh(new WasmReader(b.bytes(), codeStart, b.end()), loopWeights);

        // entry: loopBudget = LOOP_BUDGET; budget -= entryWeight; if (budget <= 0) budget = __yield();
        out.write(Instructions.I32_CONST);
        WasmReader.writeS32(out, LOOP_BUDGET);
        out.write(Instructions.LOCAL_SET);
        WasmReader.writeU32(out, loopBudget);
        out.write(Instructions.GLOBAL_GET);
        WasmReader.writeU32(out, budgetGlobal);
        out.write(Instructions.I32_CONST);
        WasmReader.writeS32(out, entryWeight);
        out.write(Instructions.I32_SUB);
        out.write(Instructions.GLOBAL_SET);
        WasmReader.writeU32(out, budgetGlobal);
        out.write(Instructions.GLOBAL_GET);
        WasmReader.writeU32(out, budgetGlobal);
        out.write(Instructions.I32_CONST);
        out.write(0);
        out.write(Instructions.I32_LE_S);
        ifYield(out, yieldFunction, Instructions.GLOBAL_SET, budgetGlobal);

        int loop = 0;
        while (!b.atEnd()) {
            int start = b.position();
            int opcode = Instructions.next(b);
            copyShifted(b, out, shift, opcode, start);
            if (opcode == Instructions.LOOP) {
                // loopBudget -= weight; if (loopBudget <= 0) loopBudget = __yield();
                out.write(Instructions.LOCAL_GET);
                WasmReader.writeU32(out, loopBudget);
                out.write(Instructions.I32_CONST);
                WasmReader.writeS32(out, loopWeights.get(loop++));
                out.write(Instructions.I32_SUB);
                out.write(Instructions.LOCAL_TEE);
                WasmReader.writeU32(out, loopBudget);
                out.write(Instructions.I32_CONST);
                out.write(0);
                out.write(Instructions.I32_LE_S);
                ifYield(out, yieldFunction, Instructions.LOCAL_SET, loopBudget);
            }
        }
    }

    private static void ifYield(ByteArrayOutputStream out, int yieldFunction, int setOpcode, int index) {
        out.write(Instructions.IF);
        out.write(Instructions.EMPTY_BLOCK);
        out.write(Instructions.CALL);
        WasmReader.writeU32(out, yieldFunction);
        out.write(setOpcode);
        WasmReader.writeU32(out, index);
        out.write(Instructions.END);
    }

    /**
     * Counts instructions: returns those outside any loop, and adds to {@code loopWeights} (in the order the loops
     * start) those of each loop's body outside its inner loops; each between 1 and {@link #MAX_WEIGHT}.
     */
    private static int weigh(WasmReader code, List<Integer> loopWeights) {
        // per open block: the index in loopWeights of the loop it belongs to (-1: the function's own level)
        int[] owner = new int[16];
        boolean[] isLoop = new boolean[16];
        int depth = 0;
        owner[0] = -1;
        long[] counts = new long[16];
        long entry = 0;
        while (!code.atEnd()) {
            int opcode = Instructions.next(code);
            int current = owner[depth];
            if (current < 0) {
                entry++;
            } else {
                counts[current]++;
            }
            switch (opcode) {
                case Instructions.BLOCK, Instructions.IF, Instructions.LOOP -> {
                    depth++;
                    if (depth == owner.length) {
                        owner = java.util.Arrays.copyOf(owner, depth * 2);
                        isLoop = java.util.Arrays.copyOf(isLoop, depth * 2);
                    }
                    isLoop[depth] = opcode == Instructions.LOOP;
                    if (isLoop[depth]) {
                        loopWeights.add(0);
                        if (loopWeights.size() > counts.length) {
                            counts = java.util.Arrays.copyOf(counts, counts.length * 2);
                        }
                        owner[depth] = loopWeights.size() - 1;
                    } else {
                        owner[depth] = current;
                    }
                }
                case Instructions.END -> {
                    if (depth == 0) {
                        if (!code.atEnd()) {
                            throw new WasmReader.Malformed("code after the end of a function");
                        }
                    } else {
                        if (isLoop[depth]) {
                            int index = owner[depth];
                            loopWeights.set(index, (int) Math.max(1, Math.min(MAX_WEIGHT, counts[index])));
                        }
                        depth--;
                    }
                }
                default -> { }
            }
        }
        if (depth != 0) {
            throw new WasmReader.Malformed("a function body that ends inside a block");
        }
        return (int) Math.max(1, Math.min(MAX_WEIGHT, entry));
    }
}
