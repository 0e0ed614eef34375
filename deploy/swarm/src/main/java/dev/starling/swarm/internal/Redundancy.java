package dev.starling.swarm.internal;

/**
 * How many results a work unit of the swarm's job may take, so that wrong hosts do not fail it by chance.
 *
 * <p>With a fraction {@code f} of wrong hosts (each disagreeing with everyone) a work unit fails when its
 * {@code maxResults} results hold fewer than {@code quorum} honest ones. The coordinator's default
 * {@code maxResults} (max(6, 3 x quorum)) gives, at quorum 2 and f = 0.2, a 0.16% chance per work unit: about 400
 * failed work units in a job of 250,000, which would fail the job although the coordinator did nothing wrong.
 * So the swarm asks for the smallest {@code maxResults} (from the default up to the coordinator's limit of 1,000)
 * that makes the expected number of failed work units below 1/1000, treating each result as wrong with
 * probability f.
 */
final class Redundancy {
    static final int COORDINATOR_LIMIT = 1000;
    private static final double EXPECTED_FAILURES = 1e-3;

    private Redundancy() {}

    /** The maxResults to ask for, or null for the coordinator's default (no wrong hosts, or it is enough). */
    static Integer maxResults(long workUnits, int quorum, double wrongFraction) {
        if (wrongFraction <= 0 || wrongFraction >= 1) {
            return null; // nothing to fear, or nothing to hope: with only wrong hosts no work unit can validate
        }
        int defaultMax = Math.max(6, 3 * quorum);
        for (int m = defaultMax; m <= COORDINATOR_LIMIT; m++) {
            if (workUnits * failure(m, quorum, 1 - wrongFraction) < EXPECTED_FAILURES) {
                return m == defaultMax ? null : m;
            }
        }
        return COORDINATOR_LIMIT;
    }

    /** P(fewer than {@code quorum} successes in {@code m} trials of probability {@code p}). */
    static double failure(int m, int quorum, double p) {
        double sum = 0;
        for (int k = 0; k < quorum && k <= m; k++) {
            sum += Math.exp(logChoose(m, k) + k * Math.log(p) + (m - k) * Math.log1p(-p));
        }
        return sum;
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 0; i < k; i++) {
            s += Math.log(n - i) - Math.log(i + 1);
        }
        return s;
    }
}
