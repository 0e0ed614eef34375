package dev.starling.coordinator.validation;

import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Task;
import java.util.List;

/** The right answers of primes work units of 1,000 numbers from 0: how many primes are in [1000 i, 1000 (i + 1)). */
final class Primes {
    private Primes() {}

    /** Submits a primes job of {@code units} work units (quorum 2) and waits until it is split; returns its id. */
    static long job(TestApi api, int units, boolean adaptive) {
        long id = api.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":2,\"adaptive\":" + adaptive + "}}");
        await().until(() -> api.job(id).get("workUnits").get("total").asLong() == units
                && api.job(id).get("workUnits").get("unsplit").asLong() == 0);
        return id;
    }

    /** The host reports the right answer of each task. */
    static void computeRight(TestHost host, List<Task> tasks) {
        tasks.forEach(t -> host.succeed(t, count(t.getIndex())));
    }

    static String count(long index) {
        int n = 0;
        for (long k = 1000 * index; k < 1000 * (index + 1); k++) {
            if (isPrime(k)) {
                n++;
            }
        }
        return Integer.toString(n);
    }

    private static boolean isPrime(long k) {
        if (k < 2) {
            return false;
        }
        for (long d = 2; d * d <= k; d++) {
            if (k % d == 0) {
                return false;
            }
        }
        return true;
    }
}
