package dev.starling.coordinator.researchercli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.cli.ExitCodes;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.SecondCoordinator;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.WasmModules;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Task;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The researcher's command line against a real coordinator (embedded PostgreSQL, real HTTP), command by command:
 * what each prints on stdout and stderr, what it changed on the coordinator, and its exit code; a refusal's problem
 * detail on one line. One coordinator for all (a Spring context each would cost a start each).
 */
class ResearcherCliTest extends CoordinatorTest {
    /** pi(1000) = 168, pi(2000) - pi(1000) = 135, pi(3000) - pi(2000) = 127: the primes job of 3 work units */
    private static final Map<Long, String> COUNTS = Map.of(0L, "168", 1L, "135", 2L, "127");
    private static final String PRIMES_JOB = "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000,\"chunkSize\":1000}}";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.apps.refresh-interval", () -> "100ms");
    }

    @Autowired
    private Environment environment;

    @TempDir
    Path home;

    /** The command line as a new researcher, with a key of their own. */
    private ResearcherCli researcherCli(String name) {
        return new ResearcherCli(httpPort, researcherKey(name), home);
    }

    /** Two volunteers' hosts compute every work unit of the primes job, so that it succeeds. */
    private void computePrimes(long job) {
        for (String name : List.of("ada", "bob")) {
            TestHost host = volunteerHost(name);
            // the splitter writes the job's work units (all at once) a moment after the submit
            List<Task> tasks = org.awaitility.Awaitility.await().until(() -> host.requestWork(10), t -> !t.isEmpty());
            for (Task t : tasks) {
                assertThat(t.getJobId()).isEqualTo(job);
                host.succeed(t, COUNTS.get(t.getIndex()));
            }
        }
    }

    private static CompletableFuture<ResearcherCli.Result> inBackground(ResearcherCli cli, String... args) {
        return CompletableFuture.supplyAsync(() -> cli.run(args));
    }

    @Nested
    class BlobUpload {
        @Test
        void printsEachFilesIdInOrderAndTheCoordinatorHasTheBytes() throws IOException {
            ResearcherCli cli = researcherCli("blob-uploader");
            Path table = Files.writeString(home.resolve("table.dat"), "1 2 3\n");
            Path empty = Files.write(home.resolve("empty.dat"), new byte[0]);

            ResearcherCli.Result r = cli.run("blob", "upload", table.toString(), empty.toString());

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            String tableId = ContentAddress.of("1 2 3\n".getBytes());
            assertThat(r.out()).isEqualTo(tableId + "\n" + ContentAddress.of(new byte[0]) + "\n");
            assertThat(r.err()).isEqualTo("uploaded " + table + " (6 bytes)\nuploaded " + empty + " (0 bytes)\n");
            TestApi api = anonymous().withKey(cli.env.get("STARLING_API_KEY"));
            assertThat(api.get("/api/v1/blobs/" + tableId).body()).isEqualTo("1 2 3\n");
        }

        @Test
        void anUnknownKeyIsRefusedWithTheProblemOnOneLineAndWhereTheKeyCameFrom() throws IOException {
            ResearcherCli cli = new ResearcherCli(httpPort, "sr_999_not-a-key", home);
            Path table = Files.writeString(home.resolve("table.dat"), "1 2 3\n");

            ResearcherCli.Result r = cli.run("blob", "upload", table.toString());

            assertThat(r.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("starling blob upload: 401 Unauthenticated: ")
                    .endsWith(" (the key came from $STARLING_API_KEY)\n").hasLineCount(1);
        }
    }

    @Nested
    class JobSubmit {
        @Test
        void aJobFilePrintsTheNewJobsIdAndTheCoordinatorHasIt() throws IOException {
            ResearcherCli cli = researcherCli("file-submitter");
            Path file = Files.writeString(home.resolve("job.json"), PRIMES_JOB);

            ResearcherCli.Result r = cli.run("job", "submit", file.toString());

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            long id = Long.parseLong(r.out().strip());
            JsonNode job = api().job(id);
            assertThat(job.get("app").asString()).isEqualTo("primes");
            assertThat(job.get("params").get("to").asLong()).isEqualTo(3000);
            assertThat(r.err()).isEqualTo("submitted job " + id + " (primes, QUEUED); follow it with: starling job watch "
                    + id + "\n");
            cancelActiveJobs();
        }

        @Test
        void flagsMakeTheJobStdinToo() {
            ResearcherCli cli = researcherCli("flag-submitter");
            cli.stdin = PRIMES_JOB.getBytes();

            ResearcherCli.Result flags = cli.run("job", "submit", "--app", "primes", "--param", "from=0", "--param",
                    "to=3000", "--param", "chunkSize=1000", "--quorum", "3", "--priority", "5", "--deadline", "120");
            ResearcherCli.Result stdin = cli.run("job", "submit", "-");

            assertThat(flags.exitCode()).as(flags.err()).isEqualTo(ExitCodes.OK);
            JsonNode job = api().job(Long.parseLong(flags.out().strip()));
            assertThat(job.get("params").get("from").asLong()).isZero();
            assertThat(job.get("params").get("to").asLong()).isEqualTo(3000);
            assertThat(job.get("params").get("chunkSize").asLong()).isEqualTo(1000);
            assertThat(job.get("redundancy").get("quorum").asInt()).isEqualTo(3);
            assertThat(job.get("priority").asInt()).isEqualTo(5);
            assertThat(job.get("deadlineSeconds").asInt()).isEqualTo(120);
            assertThat(stdin.exitCode()).as(stdin.err()).isEqualTo(ExitCodes.OK);
            assertThat(api().job(Long.parseLong(stdin.out().strip())).get("app").asString()).isEqualTo("primes");
            cancelActiveJobs();
        }

        @Test
        void aJobTheCoordinatorRefusesPrintsItsProblemOnOneLineAndStoresNothing() {
            ResearcherCli cli = researcherCli("refused-submitter");

            ResearcherCli.Result unknownApp = cli.run("job", "submit", "--app", "no-such-app");
            ResearcherCli.Result tooFar = cli.run("job", "submit", "--app", "primes", "--param", "to=9000000000000");

            assertThat(unknownApp.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(unknownApp.err()).startsWith("starling job submit: 400 ").contains("no-such-app")
                    .contains("primes").hasLineCount(1);
            assertThat(tooFar.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(tooFar.err()).startsWith("starling job submit: 400 ")
                    .contains("params.to: must be <= 1000000000000").hasLineCount(1);
            assertThat(unknownApp.out()).isEmpty();
            TestApi own = anonymous().withKey(cli.env.get("STARLING_API_KEY"));
            assertThat(own.get("/api/v1/jobs").json().get("total").asLong()).isZero();
        }

        @Test
        void withWatchItFollowsTheJobAndExitsWithItsFinalState() throws Exception {
            cancelActiveJobs();
            ResearcherCli cli = researcherCli("watching-submitter");
            cli.stdin = PRIMES_JOB.getBytes();

            CompletableFuture<ResearcherCli.Result> run = inBackground(cli, "job", "submit", "-", "--watch",
                    "--interval", "100ms");
            long job = awaitJobOf(cli);
            computePrimes(job);
            ResearcherCli.Result r = run.get(5, TimeUnit.MINUTES);

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).isEqualTo(job + "\njob " + job + " SUCCEEDED: 3 of 3 work units validated\n");
        }

        /** The id of the researcher's one job, once it is submitted. */
        private long awaitJobOf(ResearcherCli cli) {
            TestApi own = anonymous().withKey(cli.env.get("STARLING_API_KEY"));
            return org.awaitility.Awaitility.await().until(() -> own.get("/api/v1/jobs").json().get("items"),
                    items -> items.size() == 1).get(0).get("id").asLong();
        }
    }

    @Nested
    class JobWatch {
        @Test
        void followsTheJobLineByLineAndExits0WhenItSucceeds() throws Exception {
            cancelActiveJobs();
            ResearcherCli cli = researcherCli("watcher");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(PRIMES_JOB);

            CompletableFuture<ResearcherCli.Result> watch = inBackground(cli, "job", "watch", Long.toString(job),
                    "--interval", "100ms");
            computePrimes(job);
            ResearcherCli.Result r = watch.get(5, TimeUnit.MINUTES);

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).isEqualTo("job " + job + " SUCCEEDED: 3 of 3 work units validated\n");
            assertThat(r.err()).startsWith("job " + job + " ")
                    .endsWith("job " + job + " SUCCEEDED 100% (3/3 work units validated)\n").doesNotContain("\r");
        }

        @Test
        void onATerminalItDrawsABarInPlace() {
            cancelActiveJobs();
            ResearcherCli cli = researcherCli("terminal-watcher");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(PRIMES_JOB);
            computePrimes(job);
            org.awaitility.Awaitility.await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
            cli.interactive = true;
            cli.env.put("COLUMNS", "100");

            ResearcherCli.Result r = cli.run("job", "watch", Long.toString(job));

            assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
            assertThat(r.err()).isEqualTo("\rjob " + job + " SUCCEEDED [" + "#".repeat(40)
                    + "] 100%  3/3 work units validated\033[K\n");
        }

        @Test
        void aFailedJobIsExitCode10WithItsError() throws Exception {
            cancelActiveJobs();
            ResearcherCli cli = researcherCli("failing-watcher");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(
                    "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000},\"redundancy\":{\"quorum\":1,\"maxErrors\":1}}");

            CompletableFuture<ResearcherCli.Result> watch = inBackground(cli, "job", "watch", Long.toString(job),
                    "--interval", "100ms");
            TestHost host = volunteerHost("clumsy");
            host.fail(host.requestWork(1).getFirst(), Failure.Kind.COMPUTE_ERROR, "out of cheese");
            ResearcherCli.Result r = watch.get(5, TimeUnit.MINUTES);

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.out()).startsWith("job " + job + " FAILED: 0 of 1 work units validated, 1 failed; ")
                    .hasLineCount(1);
        }

        @Test
        void aCancelledJobIsExitCode11() {
            ResearcherCli cli = researcherCli("cancelled-watcher");
            TestApi own = anonymous().withKey(cli.env.get("STARLING_API_KEY"));
            long job = own.submit(PRIMES_JOB);
            own.postRaw("/api/v1/jobs/" + job + "/cancel", null, null);

            ResearcherCli.Result r = cli.run("job", "watch", Long.toString(job));

            assertThat(r.exitCode()).isEqualTo(ExitCodes.CANCELLED);
            assertThat(r.out()).startsWith("job " + job + " CANCELLED: ");
        }

        @Test
        void anotherResearchersJobIsNotFound() {
            long job = researcher("owner").submit(PRIMES_JOB);

            ResearcherCli.Result r = researcherCli("snoop").run("job", "watch", Long.toString(job));

            assertThat(r.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(r.err()).startsWith("starling job watch: 404 Not found: ").hasLineCount(1);
            cancelActiveJobs();
        }

        @Test
        void aCoordinatorThatGoesAwayIsRetriedThenGivenUpOn() throws Exception {
            ResearcherCli cli = researcherCli("abandoned-watcher");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(PRIMES_JOB);
            CompletableFuture<ResearcherCli.Result> watch;
            try (SecondCoordinator second = new SecondCoordinator(environment, Map.of())) {
                cli.env.put("STARLING_API_URL", "http://localhost:" + second.httpPort());
                watch = inBackground(cli, "job", "watch", Long.toString(job), "--interval", "100ms", "--retry-for", "0s");
                org.awaitility.Awaitility.await().until(() -> cli.err.toString().startsWith("job " + job + " QUEUED"));
            }
            ResearcherCli.Result r = watch.get(5, TimeUnit.MINUTES);

            assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.err()).contains("; retrying for up to 0 s\n")
                    .endsWith("starling job watch: cannot connect to " + cli.env.get("STARLING_API_URL")
                            + "/ (from $STARLING_API_URL): connection refused; is the coordinator running there, on"
                            + " that port?\n");
            cancelActiveJobs();
        }
    }

    @Nested
    class JobCancel {
        @Test
        void cancelsTheJobAndPrintsItsState() {
            ResearcherCli cli = researcherCli("canceller");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(PRIMES_JOB);

            ResearcherCli.Result r = cli.run("job", "cancel", Long.toString(job));

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).isEqualTo("job " + job + " CANCELLED\n");
            assertThat(api().job(job).get("state").asString()).isEqualTo("CANCELLED");
        }

        @Test
        void aFinishedJobIsRefusedWithTheReason() {
            cancelActiveJobs();
            ResearcherCli cli = researcherCli("late-canceller");
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit(PRIMES_JOB);
            computePrimes(job);
            org.awaitility.Awaitility.await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));

            ResearcherCli.Result r = cli.run("job", "cancel", Long.toString(job));

            assertThat(r.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(r.err()).startsWith("starling job cancel: 409 Conflict: ").contains("SUCCEEDED").hasLineCount(1);
        }
    }

    /** A manifest for {@code name@version} with small limits, bitwise validation. */
    private static String manifest(String name, String version) {
        return "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"limits\":{\"memoryMiB\":16,"
                + "\"maxCpuSeconds\":60,\"maxOutputBytes\":4096},\"validation\":{\"kind\":\"bitwise\"},"
                + "\"credit\":{\"perWorkUnit\":1}}";
    }

    @Nested
    class AppDeploy {
        @Test
        void printsTheVersionAndTheCoordinatorRunsItThenOtherBytesUnderItAreRefusedOnOneLine() throws IOException {
            ResearcherCli cli = researcherCli("deployer");
            Path manifest = Files.writeString(home.resolve("hello.json"), manifest("cli-hello", "1.0.0"));
            Path module = Files.write(home.resolve("hello.wasm"), WasmModules.command("hello\n"));
            Path other = Files.write(home.resolve("other.wasm"), WasmModules.command("other\n"));

            ResearcherCli.Result first = cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString());
            ResearcherCli.Result again = cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString());
            ResearcherCli.Result changed = cli.run("app", "deploy", other.toString(), "--manifest", manifest.toString());

            assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.OK);
            assertThat(first.out()).isEqualTo("cli-hello@1.0.0\n");
            assertThat(first.err()).startsWith("deployed cli-hello@1.0.0, module " + ContentAddress.of(
                    Files.readAllBytes(module)));
            assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
            assertThat(again.err()).startsWith("already deployed, with these bytes: cli-hello@1.0.0");
            assertThat(changed.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(changed.err()).startsWith("starling app deploy: 409 Conflict: ").hasLineCount(1);
            assertThat(anonymous().withKey(cli.env.get("STARLING_API_KEY")).get("/api/v1/apps/cli-hello/versions/1.0.0")
                    .json().get("module").asString()).isEqualTo(ContentAddress.of(Files.readAllBytes(module)));
        }

        @Test
        void aModuleThatIsNotWebAssemblyIsRefusedNamingTheFieldAndNothingIsStored() throws IOException {
            ResearcherCli cli = researcherCli("bad-deployer");
            Path manifest = Files.writeString(home.resolve("bad.json"), manifest("cli-bad", "1.0.0"));
            Path module = Files.writeString(home.resolve("bad.wasm"), "not a module");

            ResearcherCli.Result r = cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString());

            assertThat(r.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(r.err()).startsWith("starling app deploy: 400 ").contains("module").hasLineCount(1);
            assertThat(anonymous().withKey(cli.env.get("STARLING_API_KEY")).get("/api/v1/apps/cli-bad/versions/1.0.0")
                    .status()).isEqualTo(404);
        }
    }

    @Nested
    class JobOutputs {
        @Test
        void writesTheValidatedOutputsInWorkUnitOrderToAFileOrAsJsonLines() throws IOException {
            ResearcherCli cli = researcherCli("outputs-reader");
            Path manifest = Files.writeString(home.resolve("echo.json"), manifest("cli-echo", "1.0.0"));
            Path module = Files.write(home.resolve("echo.wasm"), WasmModules.command("echo"));
            assertThat(cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString()).exitCode())
                    .isEqualTo(ExitCodes.OK);
            long job = anonymous().withKey(cli.env.get("STARLING_API_KEY")).submit("{\"app\":\"cli-echo\",\"params\":"
                    + "{\"workUnits\":[{\"args\":[\"0\"]},{\"args\":[\"1\"]}]},\"redundancy\":{\"quorum\":1,"
                    + "\"initialReplicas\":1,\"maxErrors\":1}}");
            org.awaitility.Awaitility.await().until(() -> api().job(job).get("workUnits").get("unsplit").asLong() == 0);
            TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp("outputs-host")));
            host.registerWasm("outputs-host", 64);
            List<Task> tasks = org.awaitility.Awaitility.await().until(() -> host.requestWork(2), t -> t.size() == 2);
            ResearcherCli.Result early = cli.run("job", "outputs", Long.toString(job));
            for (Task t : tasks) {
                host.succeedWasm(t, "unit " + t.getIndex() + "\n");
            }
            org.awaitility.Awaitility.await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
            Path file = home.resolve("outputs.txt");

            ResearcherCli.Result raw = cli.run("job", "outputs", Long.toString(job), "-o", file.toString());
            ResearcherCli.Result ndjson = cli.run("job", "outputs", Long.toString(job), "--ndjson");

            assertThat(early.exitCode()).as("before the job succeeded").isEqualTo(ExitCodes.REFUSED);
            assertThat(early.err()).startsWith("starling job outputs: 409 Conflict: ").hasLineCount(1);
            assertThat(raw.exitCode()).as(raw.err()).isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(file)).isEqualTo("unit 0\nunit 1\n");
            assertThat(raw.err()).isEqualTo("wrote 14 bytes to " + file + "\n");
            assertThat(ndjson.exitCode()).as(ndjson.err()).isEqualTo(ExitCodes.OK);
            assertThat(ndjson.out().lines().map(l -> tools.jackson.databind.json.JsonMapper.builder().build()
                    .readTree(l).get("output").asString()).toList()).containsExactly("unit 0\n", "unit 1\n");
        }
    }

    @Nested
    class Reduce {
        @Test
        void submitWithReduceThenOutputsResultWritesTheReduceStepsOutput() throws IOException {
            ResearcherCli cli = researcherCli("reduce-user");
            for (String name : List.of("cli-map", "cli-sum")) {
                Path manifest = Files.writeString(home.resolve(name + ".json"), manifest(name, "1.0.0"));
                Path module = Files.write(home.resolve(name + ".wasm"), WasmModules.command(name));
                assertThat(cli.run("app", "deploy", module.toString(), "--manifest", manifest.toString()).exitCode())
                        .isEqualTo(ExitCodes.OK);
            }
            ResearcherCli.Result submitted = cli.run("job", "submit", "--app", "cli-map", "--arg", "1", "--quorum",
                    "1", "--reduce", "cli-sum", "--reduce-arg", "--sum");
            assertThat(submitted.exitCode()).as(submitted.err()).isEqualTo(ExitCodes.OK);
            long job = Long.parseLong(submitted.out().strip());
            assertThat(api().job(job).get("reduce").get("app").asString()).isEqualTo("cli-sum@1.0.0");
            assertThat(api().job(job).get("reduce").get("args").get(0).asString()).isEqualTo("--sum");
            TestHost host = closedAfterTest(new TestHost(grpcPort(), signUp("reduce-host")));
            host.registerWasm("reduce-host", 64);
            for (String app : List.of("cli-map@1.0.0", "cli-sum@1.0.0")) {
                List<Task> tasks = org.awaitility.Awaitility.await().until(() -> host.requestWork(1),
                        t -> t.size() == 1);
                assertThat(tasks.getFirst().getApp()).isEqualTo(app);
                host.succeedWasm(tasks.getFirst(), "from " + app + "\n");
            }
            org.awaitility.Awaitility.await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));

            ResearcherCli.Result result = cli.run("job", "outputs", Long.toString(job), "--result");

            assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.OK);
            assertThat(result.out()).isEqualTo("from cli-sum@1.0.0\n");
            assertThat(cli.run("job", "outputs", Long.toString(job)).out()).isEqualTo("from cli-map@1.0.0\n");
        }
    }

    @Nested
    class AppList {
        @Test
        void listsTheAppsAsATableOrAsJsonWithoutAKey() {
            ResearcherCli cli = new ResearcherCli(httpPort, null, home);

            ResearcherCli.Result table = cli.run("app", "list");
            ResearcherCli.Result json = cli.run("app", "list", "--json");

            assertThat(table.exitCode()).as(table.err()).isEqualTo(ExitCodes.OK);
            assertThat(table.out()).startsWith("NAME ").containsPattern("(?m)^primes +\\S+ +\\S.*$")
                    .containsPattern("(?m)^integrate +");
            assertThat(json.exitCode()).isEqualTo(ExitCodes.OK);
            assertThat(anonymous().get("/api/v1/apps").json().toString())
                    .isEqualTo(tools.jackson.databind.json.JsonMapper.builder().build().readTree(json.out()).toString());
        }
    }

    @Nested
    class Settings {
        @Test
        void theConfigFileServesWhenNeitherFlagsNorTheEnvironmentSayAndFlagsWin() throws IOException {
            String key = researcherKey("configured");
            ResearcherCli cli = new ResearcherCli(httpPort, null, home);
            cli.env.clear();
            Path file = Files.writeString(cli.configFile, "api-url = http://localhost:" + httpPort + "\napi-key = "
                    + key + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Path table = Files.writeString(home.resolve("t.dat"), "x");

            ResearcherCli.Result fromFile = cli.run("blob", "upload", table.toString());
            cli.env.put("STARLING_API_KEY", "sr_1_wrong");
            ResearcherCli.Result envWins = cli.run("blob", "upload", table.toString());
            ResearcherCli.Result flagWins = cli.run("blob", "upload", "--api-key", key, table.toString());

            assertThat(fromFile.exitCode()).as(fromFile.err()).isEqualTo(ExitCodes.OK);
            assertThat(envWins.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(envWins.err()).endsWith("(the key came from $STARLING_API_KEY)\n");
            assertThat(flagWins.exitCode()).as(flagWins.err()).isEqualTo(ExitCodes.OK);
        }

        @Test
        void theWorkersPortInsteadOfTheApisSaysWhatToCheckInPrintableWords() {
            ResearcherCli cli = researcherCli("wrong-port");
            cli.env.put("STARLING_API_URL", "http://localhost:" + grpcPort());

            ResearcherCli.Result r = cli.run("job", "watch", "1");

            assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.err()).startsWith("starling job watch: the connection to http://localhost:" + grpcPort()
                    + "/ (from $STARLING_API_URL) failed: ")
                    .endsWith("; is it the coordinator's HTTP port, and http or https as it serves?\n")
                    .matches("[\\x20-\\x7e]*\n");
        }
    }
}
