package dev.starling.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * The WASI functions that would make replicas differ, as functions of the work unit: the clocks, {@code random_get}
 * and {@code poll_oneoff} (Chicory's read the host's clock, its random numbers and sleep in real time). Every runner
 * (the Java worker, the browser) implements exactly this:
 * <ul>
 *   <li>Time is virtual: it starts at 0 and every {@code clock_time_get} call advances it by
 *       {@value #TICK_NANOS} ns (so a loop waiting for time to pass ends). {@code CLOCK_REALTIME} reads
 *       {@value #EPOCH_SECONDS} s after the Unix epoch (2024-01-01T00:00:00Z) plus the virtual time; the monotonic
 *       and CPU-time clocks read the virtual time. The resolution of every clock is {@value #TICK_NANOS} ns.</li>
 *   <li>{@code random_get} gives the bytes of a SplitMix64 stream seeded with the task's seed: each 64-bit output,
 *       little-endian, consumed in order across calls.</li>
 *   <li>{@code poll_oneoff} never waits: read and write subscriptions are ready at once (with 0 bytes); with clock
 *       subscriptions only, the virtual time jumps to the earliest deadline and the subscriptions due by then fire.</li>
 * </ul>
 * {@code fd_readdir} lists entries in name order (the task's file system keeps them sorted), file times are the epoch
 * above and inode numbers count up in the order files are made, so directory listings and {@code stat} agree too.
 */
final class DeterministicWasi {
    static final long EPOCH_SECONDS = 1_704_067_200L;
    static final long TICK_NANOS = 1_000;
    private static final String WASI = "wasi_snapshot_preview1";
    private static final int ESUCCESS = 0;
    private static final int EINVAL = 28;

    private long virtualNanos;
    private long randomState;
    private long randomWord;
    private int randomLeft;

    DeterministicWasi(long seed) {
        this.randomState = seed;
    }

    List<HostFunction> functions() {
        return List.of(
                new HostFunction(WASI, "clock_res_get", type(List.of(ValType.I32, ValType.I32)),
                        (instance, args) -> result(clockRes(instance.memory(), (int) args[0], (int) args[1]))),
                new HostFunction(WASI, "clock_time_get", type(List.of(ValType.I32, ValType.I64, ValType.I32)),
                        (instance, args) -> result(clockTime(instance.memory(), (int) args[0], (int) args[2]))),
                new HostFunction(WASI, "random_get", type(List.of(ValType.I32, ValType.I32)),
                        (instance, args) -> result(random(instance.memory(), (int) args[0], (int) args[1]))),
                new HostFunction(WASI, "poll_oneoff", type(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32)),
                        (instance, args) -> result(poll(instance.memory(), (int) args[0], (int) args[1],
                                (int) args[2], (int) args[3]))));
    }

    private static FunctionType type(List<ValType> params) {
        return FunctionType.of(params, List.of(ValType.I32));
    }

    private static long[] result(int errno) {
        return new long[] {errno};
    }

    private static boolean knownClock(int id) {
        return id >= 0 && id <= 3;
    }

    private int clockRes(Memory memory, int id, int resultPtr) {
        if (!knownClock(id)) {
            return EINVAL;
        }
        memory.writeLong(resultPtr, TICK_NANOS);
        return ESUCCESS;
    }

    private int clockTime(Memory memory, int id, int resultPtr) {
        if (!knownClock(id)) {
            return EINVAL;
        }
        virtualNanos += TICK_NANOS;
        memory.writeLong(resultPtr, now(id));
        return ESUCCESS;
    }

    private long now(int id) {
        return id == 0 ? EPOCH_SECONDS * 1_000_000_000L + virtualNanos : virtualNanos;
    }

    private int random(Memory memory, int buf, int length) {
        if (length < 0) {
            return EINVAL;
        }
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            if (randomLeft == 0) {
                randomWord = nextSplitMix64();
                randomLeft = 8;
            }
            bytes[i] = (byte) randomWord;
            randomWord >>>= 8;
            randomLeft--;
        }
        memory.write(buf, bytes);
        return ESUCCESS;
    }

    private long nextSplitMix64() {
        long z = (randomState += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final int SUBSCRIPTION_BYTES = 48;
    private static final int EVENT_BYTES = 32;
    private static final int EVENT_CLOCK = 0;

    private int poll(Memory memory, int in, int out, int count, int eventsPtr) {
        if (count <= 0 || count > 4096) {
            return EINVAL;
        }
        boolean anyFd = false;
        long earliest = Long.MAX_VALUE;
        long[] deadlines = new long[count];
        for (int i = 0; i < count; i++) {
            int sub = in + i * SUBSCRIPTION_BYTES;
            int tag = memory.read(sub + 8) & 0xFF;
            if (tag == EVENT_CLOCK) {
                int clock = memory.readInt(sub + 16);
                long timeout = memory.readLong(sub + 24);
                boolean absolute = (memory.readShort(sub + 40) & 1) != 0;
                if (!knownClock(clock)) {
                    return EINVAL;
                }
                long deadline = absolute ? timeout - (now(clock) - virtualNanos)
                        : virtualNanos + Math.max(0, timeout);
                deadlines[i] = deadline;
                earliest = Math.min(earliest, deadline);
            } else {
                anyFd = true;
                deadlines[i] = Long.MIN_VALUE;
            }
        }
        if (!anyFd && earliest > virtualNanos) {
            virtualNanos = earliest;
        }
        int events = 0;
        for (int i = 0; i < count; i++) {
            int sub = in + i * SUBSCRIPTION_BYTES;
            int tag = memory.read(sub + 8) & 0xFF;
            boolean fires = tag == EVENT_CLOCK ? !anyFd && deadlines[i] <= virtualNanos : true;
            if (fires) {
                int event = out + events * EVENT_BYTES;
                memory.writeLong(event, memory.readLong(sub)); // userdata
                memory.writeShort(event + 8, (short) 0); // no error
                memory.writeByte(event + 10, (byte) tag);
                memory.writeLong(event + 16, 0); // nbytes
                memory.writeShort(event + 24, (short) 0); // flags
                events++;
            }
        }
        memory.writeI32(eventsPtr, events);
        return ESUCCESS;
    }
}
