package dev.starling.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The REST API's answers to researchers, good and bad, over real HTTP. */
class JobApiTest extends CoordinatorTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Test
    void submitAnswersCreatedWithLocationAndDefaults() {
        TestApi.Response r = api().post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":5000000}}");

        assertThat(r.status()).isEqualTo(201);
        JsonNode job = r.json();
        assertThat(job.get("state").asString()).isEqualTo("QUEUED");
        assertThat(job.get("redundancy").get("quorum").asInt()).isEqualTo(2);
        assertThat(job.get("redundancy").get("initialReplicas").asInt()).isEqualTo(2);
        assertThat(job.get("redundancy").get("maxResults").asInt()).isEqualTo(6);
        assertThat(job.get("redundancy").get("maxErrors").asInt()).isEqualTo(3);
        assertThat(job.get("deadlineSeconds").asInt()).isEqualTo(600);
        assertThat(job.get("params").get("chunkSize").asLong()).isEqualTo(1_000_000L);
        assertThat(job.get("workUnits").get("total").asLong()).isEqualTo(5);

        JsonNode fetched = api().job(job.get("id").asLong());
        assertThat(fetched.get("app").asString()).isEqualTo("primes");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON            | {"app":"primes",                                                   | 400 |
            unknown app               | {"app":"nope","params":{}}                                         | 400 | app
            missing app               | {"params":{}}                                                      | 400 | app
            missing params            | {"app":"primes"}                                                   | 400 | params
            missing required param    | {"app":"primes","params":{"from":0}}                               | 400 | params.to
            unknown param             | {"app":"primes","params":{"from":0,"to":10,"x":1}}                 | 400 | params.x
            param of wrong type       | {"app":"primes","params":{"from":"zero","to":10}}                  | 400 | params.from
            param out of range        | {"app":"primes","params":{"from":-1,"to":10}}                      | 400 | params.from
            cross-field check         | {"app":"primes","params":{"from":10,"to":5}}                       | 400 | params.to
            quorum zero               | {"app":"primes","params":{"from":0,"to":10},"redundancy":{"quorum":0}} | 400 | redundancy.quorum
            replicas below quorum     | {"app":"primes","params":{"from":0,"to":10},"redundancy":{"quorum":3,"initialReplicas":2}} | 400 | redundancy.initialReplicas
            max results below replicas | {"app":"primes","params":{"from":0,"to":10},"redundancy":{"initialReplicas":3,"maxResults":2}} | 400 | redundancy.maxResults
            deadline too short        | {"app":"primes","params":{"from":0,"to":10},"deadlineSeconds":1}   | 400 | deadlineSeconds
            priority too high         | {"app":"primes","params":{"from":0,"to":10},"priority":5000}       | 400 | priority
            priority of wrong type    | {"app":"primes","params":{"from":0,"to":10},"priority":"high"}     | 400 | priority
            priority a fraction       | {"app":"primes","params":{"from":0,"to":10},"priority":1.5}        | 400 | priority
            deadline a fraction       | {"app":"primes","params":{"from":0,"to":10},"deadlineSeconds":600.9} | 400 | deadlineSeconds
            quorum a fraction         | {"app":"primes","params":{"from":0,"to":10},"redundancy":{"quorum":1.5}} | 400 | redundancy.quorum
            unknown top-level field   | {"app":"primes","params":{"from":0,"to":10},"colour":"red"}        | 400 | colour
            params not an object      | {"app":"primes","params":[1,2]}                                    | 400 | params
            too many work units       | {"app":"primes","params":{"from":0,"to":1000000000000,"chunkSize":1000}} | 400 | params.chunkSize
            param beyond a long       | {"app":"primes","params":{"from":0,"to":100000000000000000000000000}} | 400 | params.to
            priority beyond an int    | {"app":"primes","params":{"from":0,"to":10},"priority":100000000000000000000} | 400 | priority
            body an array             | []                                                                 | 400 |
            """)
    void badSubmissionsAreProblemsAndStoreNothing(String why, String body, int status, String field) {
        long before = api().get("/api/v1/jobs").json().get("total").asLong();

        TestApi.Response r = api().post("/api/v1/jobs", body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        if (field != null) {
            assertThat(problem.get("errors").findValuesAsString("field")).contains(field);
        }
        assertThat(api().get("/api/v1/jobs").json().get("total").asLong()).isEqualTo(before);
    }

    @Test
    void unknownAppNamesTheInstalledOnes() {
        JsonNode problem = api().post("/api/v1/jobs", "{\"app\":\"nope\",\"params\":{}}").json();

        assertThat(problem.get("detail").asString()).contains("primes").contains("integrate");
    }

    @Test
    void otherClientMistakesAre4xxProblems() {
        assertProblem(api().postRaw("/api/v1/jobs", "application/json", null), 400);
        assertProblem(api().postRaw("/api/v1/jobs", "text/plain", "hello"), 415);
        assertProblem(api().get("/api/v1/jobs/999999"), 404);
        assertProblem(api().get("/api/v1/jobs/abc"), 400);
        assertProblem(api().get("/api/v1/jobs/999999/result"), 404);
        assertProblem(api().get("/api/v1/jobs/999999/workunits"), 404);
        assertProblem(api().postRaw("/api/v1/jobs/999999/cancel", null, null), 404);
        assertProblem(api().get("/api/v1/jobs?size=0"), 400);
        assertProblem(api().get("/api/v1/jobs?page=-1"), 400);
        assertProblem(api().get("/api/v1/jobs/1/workunits?size=100000"), 400);
        assertProblem(api().get("/api/v1/hosts?size=-3"), 400);
        assertProblem(api().get("/api/v1/jobs?page=2147483647&size=2"), 400);
        assertProblem(api().get("/api/v1/hosts?page=100000000&size=500"), 400);
        assertProblem(api().get("/api/v1/jobs/1/workunits?page=2147483647&size=500"), 400);
    }

    @Test
    void bodyMistakesAreExplainedInTheApisWordsNotJavas() {
        JsonNode unknown = api().post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{},\"colour\":1}").json();
        JsonNode wrongType = api().post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":[]}").json();
        JsonNode badId = api().get("/api/v1/jobs/abc").json();

        assertThat(unknown.get("detail").asString()).isEqualTo(
                "colour: unknown field; known fields: app, deadlineSeconds, maxFailedWorkUnits, params, priority, reduce,"
                        + " redundancy");
        assertThat(wrongType.get("detail").asString()).isEqualTo("params: must be a JSON object");
        assertThat(badId.get("detail").asString()).isEqualTo("id: must be a whole number, got 'abc'");
        for (JsonNode p : java.util.List.of(unknown, wrongType, badId)) {
            assertThat(p.get("detail").asString()).doesNotContain("java.", "dev.starling", "Jackson");
        }
    }

    @Test
    void wellFormedJsonThatIsNoObjectIsSaidToBeNone() {
        for (String[] given : new String[][] {{"[]", "an array"}, {"42", "a number"}, {"\"x\"", "a string"},
                {"true", "true"}}) {
            TestApi.Response r = api().post("/api/v1/jobs", given[0]);

            assertProblem(r, 400);
            assertThat(r.json().get("detail").asString()).as(given[0])
                    .isEqualTo("The request body must be a JSON object, got " + given[1]);
        }
    }

    @Test
    void wholeNumbersTooLargeAreOutOfRangeNotFractions() {
        JsonNode to = api().post("/api/v1/jobs",
                "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":100000000000000000000000000}}").json();
        JsonNode quorum = api().post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":10},"
                + "\"redundancy\":{\"quorum\":100000000000000000000}}").json();
        JsonNode id = api().get("/api/v1/jobs/99999999999999999999").json();

        assertThat(to.get("detail").asString()).isEqualTo("params.to: must be <= 1000000000000");
        assertThat(quorum.get("detail").asString()).isEqualTo("redundancy.quorum: is out of range");
        assertThat(quorum.get("errors").get(0).get("field").asString()).isEqualTo("redundancy.quorum");
        assertThat(id.get("detail").asString()).isEqualTo("id: is out of range, got '99999999999999999999'");
    }

    @Test
    void springsOwnRefusalsAreProblemsOfTheHouseForm() {
        assertHouseProblem(api().postRaw("/api/v1/jobs", "text/plain", "hello"), 415, "unsupported-media-type",
                "Unsupported media type");
        assertHouseProblem(api().send(api().request("/api/v1/jobs/1").PUT(HttpRequest.BodyPublishers.noBody()).build()),
                405, "method-not-allowed", "Method not allowed");
        assertHouseProblem(api().send(api().request("/api/v1/jobs").header("Accept", "text/csv").GET().build()), 406,
                "not-acceptable", "Not acceptable");
        TestApi.Response unknown = api().get("/api/v1/nope");
        assertHouseProblem(unknown, 404, "not-found", "Not found");
        assertThat(unknown.json().get("detail").asString()).startsWith("no such path: /api/v1/nope");
    }

    @Test
    void resultBeforeSuccessIsAConflict() {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000}}");

        TestApi.Response r = api().get("/api/v1/jobs/" + id + "/result");

        assertProblem(r, 409);
        assertThat(r.json().get("detail").asString()).contains("SUCCEEDED");
    }

    @Test
    void cancelIsIdempotentAndFinal() {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":3000000}}");

        TestApi.Response first = api().postRaw("/api/v1/jobs/" + id + "/cancel", null, null);
        TestApi.Response second = api().postRaw("/api/v1/jobs/" + id + "/cancel", null, null);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("state").asString()).isEqualTo("CANCELLED");
        assertThat(second.status()).isEqualTo(200);
        assertProblem(api().get("/api/v1/jobs/" + id + "/result"), 409);
    }

    @Test
    void appsListTheirParameters() {
        JsonNode apps = api().get("/api/v1/apps").json();

        assertThat(apps.findValuesAsString("name")).contains("primes", "integrate");
        JsonNode primes = apps.valueStream().filter(a -> a.get("name").asString().equals("primes")).findFirst().orElseThrow();
        assertThat(primes.get("params").findValuesAsString("name")).contains("from", "to", "chunkSize");
    }

    @Test
    void jobsAreListedNewestFirst() {
        long a = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000}}");
        long b = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":2000}}");

        JsonNode page = api().get("/api/v1/jobs?page=0&size=2").json();

        assertThat(page.get("items").get(0).get("id").asLong()).isEqualTo(b);
        assertThat(page.get("items").get(1).get("id").asLong()).isEqualTo(a);
    }

    private static void assertHouseProblem(TestApi.Response r, int status, String type, String title) {
        assertProblem(r, status);
        JsonNode problem = r.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://starling.dev/problems/" + type);
        assertThat(problem.get("title").asString()).isEqualTo(title);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(problem.get("instance").asString()).startsWith("/api/v1/");
    }

    private static void assertProblem(TestApi.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).as(r.body()).startsWith("application/problem+json");
    }
}
