package dev.starling.wasm;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A module's linear memory as one flat {@code byte[]}: every access is one array access, which the JIT compiles to
 * a load or store with one bounds check (and often hoists that check out of a loop). Chicory's own memories split
 * memory into 64 KiB pages ({@code pages[addr >>> 16][addr & 0xFFFF]}): two dependent loads and two bounds checks
 * per access, which made a byte-array sieve 3.5-6.4x slower than native code (see docs/performance.md).
 *
 * <p>{@code memory.grow} copies into a new array when the old one is full, with spare room (twice the size, up to the
 * maximum) so that a module growing a page at a time does not copy quadratically; each access compares its address
 * with the memory's size, WebAssembly's bounds check. (An array exactly as long as the memory, whose JVM bounds
 * check would be the only one, ran the sieve kernel about 10% faster, best runs 2.08 s against 2.32 s, but a C
 * program that mallocs 100 MB in small pieces grows 1,600 times and would copy about 80 GB.)
 *
 * <p>Not shared between threads: modules with shared memory are refused at deploy ({@link ModuleCheck}).
 */
final class LinearMemory implements Memory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    private final int initialPages;
    private final int maximumPages;
    private final int capPages;
    private long refusedGrowPages;
    private byte[] bytes;
    /** The memory's size in bytes: {@code bytes.length}, or less while the array has spare room. */
    private int limit;
    private DataSegment[] dataSegments;

    /**
     * @param maximumPages the most pages {@code memory.grow} may reach: the module's own maximum or the task's cap,
     *     whichever is lower; a grow past it returns -1, as WebAssembly specifies
     */
    LinearMemory(int initialPages, int maximumPages, int capPages) {
        if (initialPages < 0 || maximumPages < initialPages || maximumPages > RUNTIME_MAX_PAGES) {
            throw new IllegalArgumentException("pages: initial " + initialPages + ", maximum " + maximumPages);
        }
        this.initialPages = initialPages;
        this.maximumPages = maximumPages;
        this.capPages = capPages;
        this.bytes = new byte[initialPages * PAGE_SIZE];
        this.limit = bytes.length;
    }

    LinearMemory(MemoryLimits limits) {
        this(limits.initialPages(), Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES), RUNTIME_MAX_PAGES);
    }

    /** The size in pages of the largest {@code memory.grow} refused for the task's cap (not the module's own). */
    long refusedGrowPages() {
        return refusedGrowPages;
    }

    @Override
    public int pages() {
        return limit / PAGE_SIZE;
    }

    @Override
    public int grow(int delta) {
        int before = pages();
        if (delta < 0 || delta > maximumPages - before) {
            long wanted = (long) before + Integer.toUnsignedLong(delta);
            if (wanted > capPages) {
                refusedGrowPages = Math.max(refusedGrowPages, wanted);
            }
            return -1;
        }
        int newLimit = (before + delta) * PAGE_SIZE;
        if (newLimit > bytes.length) {
            // spare room, so that a module growing a page at a time (as wasi-libc's malloc does) copies O(n), not O(n^2)
            long capacity = Math.min((long) maximumPages * PAGE_SIZE, Math.max(newLimit, 2L * bytes.length));
            bytes = Arrays.copyOf(bytes, (int) capacity);
        }
        limit = newLimit;
        return before;
    }

    @Override
    public int initialPages() {
        return initialPages;
    }

    @Override
    public int maximumPages() {
        return maximumPages;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        throw new UnsupportedOperationException("shared memory is not supported");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        throw new UnsupportedOperationException("shared memory is not supported");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        throw new UnsupportedOperationException("shared memory is not supported");
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        throw new UnsupportedOperationException("shared memory is not supported");
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
        this.dataSegments = segments;
        if (segments == null) {
            return;
        }
        for (DataSegment segment : segments) {
            if (segment instanceof ActiveDataSegment active && active.index() == memoryIndex) {
                int offset = (int) computeConstantValue(instance, active.offsetInstructions())[0];
                byte[] data = active.data();
                if (!fits(offset, data.length)) {
                    throw new UninstantiableException("out of bounds memory access: data segment at " + offset);
                }
                System.arraycopy(data, 0, bytes, offset, data.length);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        byte[] data = dataSegments[segmentId].data();
        if (offset < 0 || size < 0 || offset > data.length - size) {
            throw outOfBounds(offset, size);
        }
        write(dest, data, offset, size);
    }

    @Override
    public void drop(int segment) {
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    private boolean fits(int addr, int size) {
        return addr >= 0 && size >= 0 && addr <= limit - size;
    }

    private static WasmRuntimeException outOfBounds(int addr, int size) {
        return new WasmRuntimeException("out of bounds memory access: attempted to access address "
                + Integer.toUnsignedString(addr) + " (" + size + " bytes)");
    }

    /** WebAssembly's bounds check: the array may be longer than the memory. */
    private void check(int addr, int size) {
        if (addr < 0 || addr > limit - size) {
            throw outOfBounds(addr, size);
        }
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        if (!fits(addr, size) || offset < 0 || offset > data.length - size) {
            throw outOfBounds(addr, size);
        }
        System.arraycopy(data, offset, bytes, addr, size);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        if (!fits(addr, len)) {
            throw outOfBounds(addr, len);
        }
        return Arrays.copyOfRange(bytes, addr, addr + len);
    }

    @Override
    public byte read(int addr) {
        check(addr, 1);
        return bytes[addr];
    }

    @Override
    public void writeByte(int addr, byte data) {
        check(addr, 1);
        bytes[addr] = data;
    }

    @Override
    public short readShort(int addr) {
        check(addr, 2);
        return (short) SHORT.get(bytes, addr);
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeShort(int addr, short data) {
        check(addr, 2);
        SHORT.set(bytes, addr, data);
    }

    @Override
    public int readInt(int addr) {
        check(addr, 4);
        return (int) INT.get(bytes, addr);
    }

    @Override
    public void writeI32(int addr, int data) {
        check(addr, 4);
        INT.set(bytes, addr, data);
    }

    @Override
    public long readLong(int addr) {
        check(addr, 8);
        return (long) LONG.get(bytes, addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        check(addr, 8);
        LONG.set(bytes, addr, data);
    }

    @Override
    public float readFloat(int addr) {
        check(addr, 4);
        return (float) FLOAT.get(bytes, addr);
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public void writeF32(int addr, float data) {
        check(addr, 4);
        FLOAT.set(bytes, addr, data);
    }

    @Override
    public double readDouble(int addr) {
        check(addr, 8);
        return (double) DOUBLE.get(bytes, addr);
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        check(addr, 8);
        DOUBLE.set(bytes, addr, data);
    }

    @Override
    public void zero() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        if (!fits(fromIndex, toIndex - fromIndex)) {
            throw outOfBounds(fromIndex, toIndex - fromIndex);
        }
        Arrays.fill(bytes, fromIndex, toIndex, value);
    }

    @Override
    public void copy(int dest, int src, int size) {
        if (!fits(dest, size) || !fits(src, size)) {
            throw outOfBounds(fits(dest, size) ? src : dest, size);
        }
        System.arraycopy(bytes, src, bytes, dest, size); // handles overlap as memmove does
    }
}
