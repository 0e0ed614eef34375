package dev.starling.worker.control;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/** The heap memory in use after the last garbage collection: what tasks hold, without the garbage not yet collected. */
public final class HeapUse {
    private HeapUse() {}

    public static long afterLastCollection() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                MemoryUsage afterGc = pool.getCollectionUsage();
                sum += afterGc != null ? afterGc.getUsed() : 0;
            }
        }
        // before the first collection there is no such figure: the heap in use is the best there is
        return sum > 0 ? sum : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
