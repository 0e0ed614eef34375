package dev.starling.coordinator.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.app.TestApps;
import dev.starling.coordinator.blob.BlobLengthApp;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.sdk.Apps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The blob collector: what nothing references goes after the grace period, from the store and the tracker. */
@TestPropertySource(properties = {"starling.retention.finished-jobs=1h", "starling.retention.interval=100ms",
        "starling.retention.blob-grace=2h"})
class BlobCollectionTest extends CoordinatorTest {
    static final Path BLOBS = Path.of("target", "test-blobs-" + UUID.randomUUID());

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.blobs.dir", BLOBS::toString);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class WithBlobApp {
        @Bean
        @Primary
        Apps appsWithBlobApp() {
            return TestApps.with(new BlobLengthApp());
        }
    }

    @Test
    void anUnreferencedBlobGoesAfterItsGraceAndAReferencedOneStays() {
        String loose = api().upload(random(5000, 1));
        String input = api().upload(random(7000, 2));
        long job = api().submit("{\"app\":\"" + BlobLengthApp.NAME + "\",\"params\":{\"data\":\"" + input + "\"}}");
        await().until(() -> api().job(job).get("workUnits").get("total").asLong() == 1);
        TestHost holder = volunteerHost("holder", BlobLengthApp.NAME);
        holder.stub(true).announceBlobs(AnnounceBlobsRequest.newBuilder().addHolding(loose).build());
        assertThat(holderRows(loose)).isEqualTo(1);

        clock.advance(Duration.ofMinutes(90));
        assertThat(api().get("/api/v1/blobs/" + loose).status()).as("within its grace").isEqualTo(200);

        clock.advance(Duration.ofMinutes(60));
        await().until(() -> api().get("/api/v1/blobs/" + loose).status() == 404);
        assertThat(Files.exists(stored(loose))).as("its bytes are gone from the store").isFalse();
        assertThat(holderRows(loose)).as("the tracker forgot its holders").isZero();
        assertThat(api().get("/api/v1/blobs/" + input).status()).as("the running job reads it").isEqualTo(200);
        assertThat(Files.exists(stored(input))).isTrue();
        // the host that held it is told to drop it at its next contact, once
        await().until(() -> holder.heartbeat().getDropBlobIdsList().contains(loose));
        assertThat(holder.heartbeat().getDropBlobIdsList()).isEmpty();

        // once the job is finished and purged, its input goes too; its archive is referenced and stays
        api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null);
        clock.advance(Duration.ofMinutes(61));
        await().until(() -> api().job(job).path("archive").has("purgedAt"));
        String archive = api().job(job).get("archive").get("blob").asString();
        clock.advance(Duration.ofHours(3));
        await().until(() -> api().get("/api/v1/blobs/" + input).status() == 404);
        assertThat(Files.exists(stored(input))).isFalse();
        assertThat(api().get("/api/v1/blobs/" + archive).status()).isEqualTo(200);
        assertThat(api().get("/api/v1/jobs/" + job + "/archive").status()).isEqualTo(200);

        // a job naming a collected blob is refused, and nothing is stored
        assertThat(api().post("/api/v1/jobs", "{\"app\":\"" + BlobLengthApp.NAME + "\",\"params\":{\"data\":\""
                + input + "\"}}").status()).isEqualTo(400);
    }

    private long holderRows(String blob) {
        return jdbc.sql("SELECT count(*) FROM blob_holder WHERE blob_id = :b").param("b", blob).query(Long.class)
                .single();
    }

    private static Path stored(String id) {
        String hex = id.substring("sha256:".length());
        return BLOBS.resolve(hex.substring(0, 2)).resolve(hex);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
