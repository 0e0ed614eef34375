package dev.starling.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command lines of {@code swarm} and {@code bench}: a wrong one is exit code 2 with a message that says what to fix. */
class CommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return SwarmMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            --hosts 0                          | --hosts must be at least 1, was 0
            --hosts -5                         | --hosts must be at least 1, was -5
            --hosts many                       | 'many' is not an int
            --wrong-fraction 1.5               | --wrong-fraction must be between 0 and 1, was 1.5
            --wrong-fraction -0.1              | --wrong-fraction must be between 0 and 1, was -0.1
            --duration soon                    | 'soon' is not a duration; write for example 60s, 500ms or 10m
            --duration 0s                      | --duration must be longer than 0, was 0s
            --warmup 5x                        | '5x' is not a duration
            --drain-timeout 0s                 | --drain-timeout must be longer than 0
            --task-ms -1                       | --task-ms must not be negative, was -1
            --cores 0                          | --cores must be at least 1, was 0
            --connections -1                   | --connections must not be negative
            --submit 100                       | --submit needs --api
            --submit -1 --api http://h:1       | --submit must not be negative, was -1
            --submit 9 --api http://h:1        | --submit needs --api-key, a researcher's API key
            --api ftp://h:1                    | --api must be http://HOST:PORT
            --api ::nonsense                   | --api must be http://HOST:PORT
            --rounds 0                         | --rounds must be at least 1, was 0
            --quorum 0                         | --quorum must be at least 1, was 0
            --frobnicate                       | Unknown option: '--frobnicate'
            """)
    void wrongSwarmOptionsAreExitCode2WithAClearMessage(String options, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("swarm", "--coordinator", "localhost:9090"));
        args.addAll(List.of(options.split(" ")));

        assertThat(run(args.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).startsWith("starling swarm: ").contains(message)
                .contains("Try 'starling swarm --help'");
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            localhost                 | expected HOST:PORT (for example localhost:9090), got 'localhost'
            localhost:99999           | the port must be between 1 and 65535, was 99999
            localhost:grpc            | the port must be a number, got 'grpc'
            ::1:9090                  | write an IPv6 address in brackets
            a:1,                      | expected HOST:PORT
            """)
    void wrongCoordinatorAddressesAreExitCode2(String address, String message) {
        assertThat(run("swarm", "--coordinator", address)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void theCoordinatorIsRequired() {
        assertThat(run("swarm", "--hosts", "10")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("Missing required option: '--coordinator");
    }

    @Test
    void moreCoordinatorsThanConnectionsIsRefused() {
        assertThat(run("swarm", "--coordinator", "a:1,b:2,c:3", "--connections", "2")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--connections must be at least the number of coordinators (3), was 2");
    }

    @Test
    void noCommandIsExitCode2() {
        assertThat(run()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("name a command: swarm or bench");
    }

    @Test
    void aCompleteCommandLineBecomesOptions() {
        SwarmCommand command = new SwarmCommand();
        CommandLine cmd = new CommandLine(command);
        cmd.parseArgs("--coordinator", "c1:9090,[::1]:9091", "--hosts", "5000", "--duration", "2m", "--warmup", "0s",
                "--task-ms", "250", "--wrong-fraction", "0.2", "--cores", "8", "--connections", "100", "--api",
                "http://c1:8080/,http://c2:8080", "--api-key", "sr_1_secret", "--submit", "100000", "--rounds", "3", "--quorum", "3",
                "--drain-timeout", "1h", "--seed", "7");

        Swarm.Options o = command.options(new PrintWriter(out), new PrintWriter(err));

        assertThat(o.coordinators()).containsExactly(new Endpoint("c1", 9090), new Endpoint("::1", 9091));
        assertThat(o.hosts()).isEqualTo(5000);
        assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(o.warmup()).isZero();
        assertThat(o.taskTime()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.wrongFraction()).isEqualTo(0.2);
        assertThat(o.wrongHosts()).isEqualTo(1000);
        assertThat(o.cores()).isEqualTo(8);
        assertThat(o.connections()).isEqualTo(100);
        assertThat(o.api()).extracting(Object::toString).containsExactly("http://c1:8080/", "http://c2:8080");
        assertThat(o.apiKey()).isEqualTo("sr_1_secret");
        assertThat(o.submit()).isEqualTo(100_000);
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.quorum()).isEqualTo(3);
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(o.seed()).isEqualTo(7);
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        Swarm.Options o = Swarm.Options.builder().coordinators("localhost:9090").build();

        assertThat(o.hosts()).isEqualTo(1000);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.taskTime()).isZero();
        assertThat(o.wrongFraction()).isZero();
        assertThat(o.cores()).isEqualTo(4);
        assertThat(o.connections()).isZero();
        assertThat(o.api()).isEmpty();
        assertThat(o.submit()).isZero();
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(o.quorum()).isEqualTo(2);
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.toBuilder().hosts(3).build().hosts()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            --hosts 0                  | --hosts must be at least 1, was 0
            --coordinator-heap 512x    | --coordinator-heap must be a size such as 512m or 2g, was '512x'
            --heap-at 10,lots          | --heap-at takes counts such as 100000,500000, got 'lots'
            --heap-at 0                | --heap-at takes positive counts, got 0
            --work-units 0             | --work-units must be at least 1, was 0
            --pgbench-seconds -1       | --pgbench-seconds must not be negative, was -1
            --duration 1y              | '1y' is not a duration
            """)
    void wrongBenchOptionsAreExitCode2(String options, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("bench"));
        args.addAll(List.of(options.split(" ")));

        assertThat(run(args.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).startsWith("starling bench: ").contains(message);
    }

    @Test
    void helpNamesEveryOption() {
        assertThat(run("swarm", "--help")).isZero();
        assertThat(out.toString()).contains("--coordinator", "--hosts", "--duration", "--warmup", "--task-ms",
                "--wrong-fraction", "--cores", "--connections", "--api", "--api-key", "--submit", "--rounds", "--quorum",
                "--drain-timeout", "--seed");
    }
}
