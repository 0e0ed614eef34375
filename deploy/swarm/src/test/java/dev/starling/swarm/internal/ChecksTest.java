package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.samples.checksum.ChecksumApp;
import dev.starling.swarm.SwarmReport.Check;
import dev.starling.swarm.SwarmReport.Check.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChecksTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HostOutcome HONEST = new HostOutcome(0, 11, false, 100, 0, 104);
    private static final HostOutcome WRONG = new HostOutcome(1, 12, true, 30, 0, 30);

    private static Map<Long, HostCounts> page(HostCounts... counts) {
        Map<Long, HostCounts> byId = new HashMap<>();
        for (HostCounts c : counts) {
            byId.put(c.id(), c);
        }
        return byId;
    }

    private static JobStatus job(String state, long validated, long failed) {
        return new JobStatus(5, "checksum", state, 1000, 0L, 1000 - validated - failed, validated, failed, 0, null);
    }

    @Test
    void aSucceededJobWithEveryWorkUnitValidatedPasses() {
        assertThat(Checks.job(1000, job("SUCCEEDED", 1000, 0), false).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aFailedOrUnfinishedJobFails() {
        Check failed = Checks.job(1000, new JobStatus(5, "checksum", "FAILED", 1000, 0L, 0, 990, 10, 0, "work unit 7"),
                false);
        Check running = Checks.job(1000, job("RUNNING", 400, 0), true);

        assertThat(failed.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(failed.detail()).contains("FAILED", "990 of 1000", "10 failed", "work unit 7");
        assertThat(running.detail()).contains("still RUNNING when the drain timeout passed");
    }

    @Test
    void theHonestDigestPasses() {
        JsonNode result = JSON.readTree("{\"workUnits\": 1000, \"digest\": \"" + ChecksumApp.digest(1000, 1) + "\"}");

        assertThat(Checks.result(5, 1000, ChecksumApp.digest(1000, 1), result).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aWrongDigestIsDetected() {
        JsonNode result = JSON.readTree("{\"workUnits\": 1000, \"digest\": \"" + ChecksumApp.digest(999, 1) + "\"}");

        Check check = Checks.result(5, 1000, ChecksumApp.digest(1000, 1), result);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).contains("not the honest one");
    }

    @Test
    void aResultWithAnotherCountOrMoreFieldsOrNoneAtAllFails() {
        String digest = ChecksumApp.digest(10, 1);
        assertThat(Checks.result(5, 10, digest, JSON.readTree("{\"workUnits\": 9, \"digest\": \"" + digest + "\"}"))
                .verdict()).isEqualTo(Verdict.FAILED);
        assertThat(Checks.result(5, 10, digest, JSON.readTree("{\"workUnits\": \"10\", \"digest\": \"" + digest + "\"}"))
                .verdict()).isEqualTo(Verdict.FAILED);
        assertThat(Checks.result(5, 10, digest,
                JSON.readTree("{\"workUnits\": 10, \"digest\": \"" + digest + "\", \"extra\": 1}")).verdict())
                .isEqualTo(Verdict.FAILED);
        assertThat(Checks.result(5, 10, digest, null).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aDeployedAppsJobHasOneEmptyOutputPerWorkUnit() {
        String honest = "{\"app\":\"swarm-trivial@1.0.0\",\"outputs\":10,\"stdoutBytes\":0,\"outputFiles\":0,"
                + "\"outputFileBytes\":0,\"failedWorkUnits\":0,\"outputsUrl\":\"/api/v1/jobs/5/outputs\"}";

        assertThat(Checks.outputs(5, 10, JSON.readTree(honest)).verdict()).isEqualTo(Verdict.OK);
        assertThat(Checks.outputs(5, 11, JSON.readTree(honest)).verdict()).isEqualTo(Verdict.FAILED);
        assertThat(Checks.outputs(5, 10, JSON.readTree(honest.replace("\"stdoutBytes\":0", "\"stdoutBytes\":7")))
                .detail()).contains("not the honest one");
        assertThat(Checks.outputs(5, 10, null).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aDuplicateWorkUnitIsDetected() {
        List<HostOutcome> hosts = List.of(HONEST, new HostOutcome(2, 13, false, 50, 2, 52));

        Check check = Checks.duplicates(hosts);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).startsWith("2 tasks").contains("host 13 (swarm host 2): 2");
        assertThat(Checks.duplicates(List.of(HONEST, WRONG)).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void countsThatMatchTheHostsTalliesPass() {
        Check check = Checks.credit(List.of(HONEST, WRONG),
                page(new HostCounts(11, "swarm-0", 100, 0, 0, 0, 100.0), new HostCounts(12, "swarm-1", 0, 30, 0, 0, 0.0)),
                1.0);

        assertThat(check.verdict()).as(check.detail()).isEqualTo(Verdict.OK);
        assertThat(check.detail()).contains("2 hosts", "130 judgments", "100 valid");
    }

    @Test
    void aDoubleCreditIsDetected() {
        Check check = Checks.credit(List.of(HONEST),
                page(new HostCounts(11, "swarm-0", 100, 0, 0, 0, 200.0)), 1.0);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).contains("host 11", "credit 200.0 for 100 valid results, expected 100.0");
    }

    @Test
    void aResultJudgedTwiceIsDetected() {
        Check check = Checks.credit(List.of(HONEST),
                page(new HostCounts(11, "swarm-0", 101, 0, 0, 0, 101.0)), 1.0);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).contains("valid 101 + invalid 0 = 101 judgments of 100 stored results");
    }

    @Test
    void anHonestHostJudgedInvalidOrAWrongHostJudgedValidIsDetected() {
        Check check = Checks.credit(List.of(HONEST, WRONG),
                page(new HostCounts(11, "swarm-0", 99, 1, 0, 0, 99.0), new HostCounts(12, "swarm-1", 1, 29, 0, 0, 1.0)),
                1.0);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).contains("honest but 1 invalid", "wrong but 1 valid");
    }

    @Test
    void aHostMissingFromTheListingIsDetectedAndOneThatNeverRegisteredIsNot() {
        HostOutcome neverRegistered = new HostOutcome(3, 0, false, 0, 0, 0);

        Check check = Checks.credit(List.of(HONEST, neverRegistered), page(), 1.0);

        assertThat(check.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(check.detail()).startsWith("1 problems").contains("host 11 (swarm host 0) is not listed");
    }

    @Test
    void creditIsExactUpToOneBillionth() {
        HostCounts almost = new HostCounts(11, "swarm-0", 100, 0, 0, 0, 100.0 + 1e-12);

        assertThat(Checks.credit(List.of(HONEST), page(almost), 1.0).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void errorsOrRejectedAcksFail() {
        assertThat(Checks.errors(Map.of(), 0, 0).verdict()).isEqualTo(Verdict.OK);
        assertThat(Checks.errors(Map.of("UNAVAILABLE", 2L), 0, 0).detail()).contains("2 errors", "UNAVAILABLE=2");
        assertThat(Checks.errors(Map.of(), 1, 0).verdict()).isEqualTo(Verdict.FAILED);
        assertThat(Checks.errors(Map.of(), 0, 3).detail()).contains("3 results answered 'already reported' on their first");
    }
}
