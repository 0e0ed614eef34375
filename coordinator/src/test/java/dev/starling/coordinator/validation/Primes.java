package dev.starling.coordinator.validation;

/** The right answers of primes work units of 1,000 numbers from 0: how many primes are in [1000 i, 1000 (i + 1)). */
final class Primes {
    private Primes() {}

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
