package dev.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every command does with a wrong command line or input file before it calls anyone: a message on stderr that
 * says what to fix, nothing on stdout, a non-zero exit code. And what a call that gets no answer says.
 */
class CommandLineTest {
    @TempDir
    Path dir;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir);
        cli.env.put(Connection.KEY_VARIABLE, "sr_1_secret");
        cli.env.put(Connection.URL_VARIABLE, "http://localhost:" + closedPort());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                                      | starling          | name a command: app, blob or job
            frobnicate                                              | starling          | Unmatched argument at index 0: 'frobnicate'
            app                                                     | starling app      | name a command: run, deploy, list
            job                                                     | starling job      | name a command: submit, watch, outputs, cancel
            app run                                                 | starling app run  | Missing required parameter: 'MODULE'
            app run --memory-mib lots x.wasm                        | starling app run  | Invalid value for option '--memory-mib': 'lots' is not an int
            app deploy x.wasm                                       | starling app deploy | Missing required option: '--manifest=FILE'
            blob upload                                             | starling blob upload | Missing required parameter: 'FILE'
            job submit                                              | starling job submit | give a job file, or --app and the job's work
            job submit job.json --app x                             | starling job submit | give a job file or flags (--app, ...), not both
            job submit --app c --sweep-from 1 --sweep-to 9          | starling job submit | --sweep-from, --sweep-to and --sweep-step go together
            job submit --app c --sweep-from 1 --sweep-to 9 --sweep-step 0 | starling job submit | --sweep-step must be at least 1, was 0
            job submit --app c --sweep-from 9 --sweep-to 1 --sweep-step 1 | starling job submit | --sweep-to (1) is before --sweep-from (9)
            job submit --app c --param from                         | starling job submit | --param must be NAME=VALUE, was 'from'
            job submit --app c --param a=1 --param a=2              | starling job submit | --param a is given twice
            job submit --app c --file table.dat                     | starling job submit | --file must be NAME=BLOB|PATH, was 'table.dat'
            job submit --app c --watch --interval soon              | starling job submit | 'soon' is not a duration; write for example 500ms, 2s or 10m
            job submit --app c --watch --interval 0                 | starling job submit | --interval must be longer than 0
            job watch                                               | starling job watch | Missing required parameter: 'JOB'
            job watch abc                                           | starling job watch | 'abc' is not a job id (a whole number from 1)
            job watch 0                                             | starling job watch | '0' is not a job id
            job cancel 12 13                                        | starling job cancel | Unmatched argument at index 3: '13'
            job outputs 12 --format csv                             | starling job outputs | Unknown options: '--format', 'csv'
            job outputs 12 --result --ndjson                        | starling job outputs | --result is the reduce step's output alone
            job submit --app c --arg 1 --reduce-arg x               | starling job submit | --reduce-arg goes with --reduce
            job submit job.json --reduce sum                        | starling job submit | give a job file or flags (--app, ...), not both
            """)
    void aWrongCommandLineIsExitCode2WithAMessageAndWhereHelpIs(String args, String command, String message) {
        Cli.Result r = cli.run(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(r.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).startsWith(command + ": ").contains(message).contains("Try '" + command + " --help'");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void helpIsOnStdoutWithExamplesAndTheExitCodes() {
        for (String command : List.of("", "app run ", "app deploy ", "app list ", "blob upload ", "job submit ",
                "job watch ", "job outputs ", "job cancel ")) {
            Cli.Result r = cli.run((command + "--help").split(" "));

            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).startsWith("Usage: starling").contains("Exit codes: 0 done");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void aJobFileThatIsNotAJsonObjectIsInvalidInputSayingWhere() throws IOException {
        Path broken = Files.writeString(dir.resolve("job.json"), "{\"app\": \"primes\",\n \"params\": {\"from\": 0,}}");
        Path list = Files.writeString(dir.resolve("list.json"), "[]");

        Cli.Result r = cli.run("job", "submit", broken.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).startsWith("starling job submit: the job file " + broken + " is not valid JSON (line 2,");
        assertThat(cli.run("job", "submit", list.toString()).err())
                .contains("the job file " + list + " must be a JSON object ({...}), not array");
        assertThat(cli.run("job", "submit", dir.resolve("none.json").toString()).err())
                .contains("cannot read the job file " + dir.resolve("none.json") + ": no such file");
        cli.stdin = new byte[0];
        assertThat(cli.run("job", "submit", "-").err()).contains("the job file - must be a JSON object ({...}), not empty");
    }

    @Test
    void missingLocalFilesAreInvalidInputBeforeAnythingIsSent() {
        Path none = dir.resolve("none.dat");

        assertThat(cli.run("blob", "upload", none.toString()).err())
                .isEqualTo("starling blob upload: cannot read the file " + none + ": no such file\n");
        assertThat(cli.run("job", "submit", "--app", "c", "--file", "t.dat=" + none).err())
                .isEqualTo("starling job submit: cannot read the file " + none + ": no such file\n");
        assertThat(cli.run("app", "deploy", "--manifest", none.toString(), "x.wasm").err())
                .isEqualTo("starling app deploy: cannot read the manifest " + none + ": no such file\n");
    }

    @Test
    void withoutAKeyTheCommandsThatNeedOneSaySoAndSendNothing() {
        cli.env.remove(Connection.KEY_VARIABLE);

        Cli.Result r = cli.run("job", "watch", "12");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).isEqualTo("starling job watch: no API key: give --api-key, set $STARLING_API_KEY, or put"
                + " 'api-key = ...' in the config file (the admin makes researchers' keys)\n");
    }

    @Test
    void aCoordinatorThatIsNotThereIsUnavailableNamingTheAddressAndWhereItCameFrom() {
        int port = closedPort();

        Cli.Result fromEnv = cli.run("job", "watch", "12");
        Cli.Result fromFlag = cli.run("app", "list", "--api-url", "http://127.0.0.1:" + port);

        assertThat(fromEnv.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(fromEnv.err()).startsWith("starling job watch: cannot connect to " + cli.env.get(Connection.URL_VARIABLE)
                + "/ (from $STARLING_API_URL): connection refused; is the coordinator running there, on that port?");
        assertThat(fromFlag.err()).contains("cannot connect to http://127.0.0.1:" + port + "/ (from --api-url)");
        assertThat(fromFlag.out()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            localhost:8080                  | --api-url 'localhost:8080' must be an http:// or https:// URL with a host
            ftp://example.org               | must be an http:// or https:// URL with a host
            http://example.org/?x=1         | must be the coordinator's address only (no user, query or fragment)
            http://bad host                 | is not a URL
            """)
    void aUrlThatIsNotTheCoordinatorsAddressIsInvalidInput(String url, String message) {
        Cli.Result r = cli.run("app", "list", "--api-url", url);

        assertThat(r.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).startsWith("starling app list: --api-url '" + url + "' ").contains(message);
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
