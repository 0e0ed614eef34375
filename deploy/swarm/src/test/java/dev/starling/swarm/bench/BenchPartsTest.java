package dev.starling.swarm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.swarm.SwarmReport.Figures;
import org.junit.jupiter.api.Test;

/** The RESULT line, and reading pgbench's, jcmd's and /proc's output. */
class BenchPartsTest {

    @Test
    void theResultLineHasExactlyTheDocumentedShape() {
        Figures figures = new Figures(1234.56, 2469.04, 0.95, 15.06, 40.0, 2.0, 30.0, 80.0, 1000, 1000, 60.0104, 1, 1, 0);

        assertThat(Bench.resultLine(figures, 812.3456)).isEqualTo("RESULT validated_wu_per_s=1234.6 results_per_s=2469"
                + " request_work_p50_ms=1 request_work_p99_ms=15.1 hosts=1000 duration_s=60 pgbench_tps=812.3");
        assertThat(Bench.resultLine(figures, Double.NaN)).endsWith(" pgbench_tps=n/a");
    }

    @Test
    void pgbenchsTpsIsRead() throws BenchFailure {
        String report = """
                pgbench (17.2 (Debian 17.2-1.pgdg120+1))
                transaction type: <builtin: simple update>
                scaling factor: 10
                number of clients: 8
                latency average = 9.853 ms
                initial connection time = 12.094 ms
                tps = 811.936719 (without initial connection time)
                """;

        assertThat(PgBench.tps(report)).isEqualTo(811.936719);
        assertThatThrownBy(() -> PgBench.tps("connection refused")).isInstanceOf(BenchFailure.class);
    }

    @Test
    void theHeapUsedIsReadForG1SerialParallelAndZgc() {
        assertThat(HeapProbe.usedMb("""
                12345:
                 garbage-first heap   total 524288K, used 41234K [0x00000000e0000000, 0x0000000100000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 60000K, committed 61000K, reserved 1114112K
                """)).isEqualTo(41234 / 1024.0);
        assertThat(HeapProbe.usedMb("""
                garbage-first heap   total reserved 262144K, committed 262144K, used 4096K [0x00000000f0000000, 0x0000000100000000)
                 region size 1024K, 3 young (3072K), 0 survivors (0K)
                """)).isEqualTo(4.0);
        assertThat(HeapProbe.usedMb("""
                DefNew     total 78656K, used 9793K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
                 eden space 69952K,  14% used [0x00000000f0000000, 0x00000000f0990610, 0x00000000f4450000)
                Tenured    total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
                 the  space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x0000000100000000)
                """)).isEqualTo((9793 + 1166) / 1024.0);
        assertThat(HeapProbe.usedMb("""
                 PSYoungGen      total 76288K, used 2048K [0x000000076ab00000, 0x0000000770000000, 0x00000007c0000000)
                 ParOldGen       total 175104K, used 1024K [0x00000006c0000000, 0x00000006cab00000, 0x000000076ab00000)
                """)).isEqualTo(3.0);
        assertThat(HeapProbe.usedMb(" ZHeap           used 48M, capacity 512M, max capacity 512M\n")).isEqualTo(48.0);
        assertThat(HeapProbe.usedMb("nothing useful")).isNaN();
    }

    @Test
    void theResidentSetIsReadFromProcStatus() {
        assertThat(HeapProbe.rssMb("Name:\tjava\nVmPeak:\t 9000000 kB\nVmRSS:\t  312320 kB\nThreads:\t40\n"))
                .isEqualTo(305.0);
        assertThat(HeapProbe.rssMb("Name:\tjava\n")).isNaN();
    }

    @Test
    void theKumarRossBoundIsTheSlowerOfTheServersUplinkAndTheWholeSwarmsUplink() {
        long mib = 1 << 20;
        // the server alone must send the file once
        assertThat(DistributionBench.bound(6, 64 * mib, 4 * mib, 16 * mib)).isEqualTo(16.0);
        // everyone's uplinks together must send N copies
        assertThat(DistributionBench.bound(6, 64 * mib, 8 * mib, 4 * mib)).isEqualTo(12.0);
    }

    @Test
    void theDistributionCorpusIsTextOfTheAskedSize() {
        byte[] corpus = DistributionBench.corpus(100_003);
        assertThat(corpus).hasSize(100_003);
        assertThat(new String(corpus, java.nio.charset.StandardCharsets.US_ASCII)).matches("[a-z \\n]+");
    }
}
