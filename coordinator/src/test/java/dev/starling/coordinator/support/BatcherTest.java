package dev.starling.coordinator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit on a real PostgreSQL: requests queued while a batch runs are written together, and one request the
 * database refuses (text holding U+0000) fails alone, never the others of its batch.
 */
class BatcherTest {
    private static final int CAPACITY = 16;
    private JdbcClient jdbc;
    private TransactionTemplate tx;
    private Batcher<String, Long> batcher;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger runs = new AtomicInteger();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void start() {
        DriverManagerDataSource db = new DriverManagerDataSource(TestDatabase.create(), TestDatabase.USER, "");
        jdbc = JdbcClient.create(db);
        tx = new TransactionTemplate(new DataSourceTransactionManager(db));
        jdbc.sql("CREATE TABLE note (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, text text NOT NULL)").update();
        batcher = new Batcher<>("notes", 256, CAPACITY, Duration.ofSeconds(3), this::write);
        batcher.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        callers.close();
        if (batcher != null) {
            batcher.stop();
        }
    }

    /** Writes a batch of notes in one transaction, one statement each; "wait" holds its batch until released. */
    private List<Long> write(List<String> notes) {
        runs.incrementAndGet();
        if (notes.contains("wait")) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return tx.execute(s -> {
            List<Long> ids = new ArrayList<>();
            for (String n : notes) {
                ids.add(jdbc.sql("INSERT INTO note (text) VALUES (:t) RETURNING id").param("t", n).query(Long.class).single());
            }
            return ids;
        });
    }

    private CompletableFuture<Long> send(String note) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.run(note);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, callers);
    }

    @Test
    void aRequestTheDatabaseRefusesFailsAloneAndTheOthersOfItsBatchAreWritten() throws Exception {
        CompletableFuture<Long> holder = send("wait");
        await().until(() -> runs.get() == 1);
        List<CompletableFuture<Long>> honest = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            honest.add(send("honest " + i));
        }
        CompletableFuture<Long> bad = send("bad\0");
        for (int i = 6; i < 9; i++) {
            honest.add(send("honest " + i));
        }
        await().until(() -> batcher.queued() == 10);
        int before = runs.get();
        release.countDown();

        assertThat(holder.get()).isPositive();
        for (CompletableFuture<Long> h : honest) {
            assertThat(h.get()).isPositive();
        }
        assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DataAccessException.class);
        assertThat(jdbc.sql("SELECT text FROM note ORDER BY id").query(String.class).list())
                .containsExactlyInAnyOrder("wait", "honest 0", "honest 1", "honest 2", "honest 3", "honest 4",
                        "honest 5", "honest 6", "honest 7", "honest 8");
        assertThat(runs.get() - before).as("the batch of 10, then halves down to the bad request: 2 log2(10) runs at most")
                .isBetween(2, 1 + 2 * 4);
    }

    @Test
    void batchesThatSucceedRunOnce() throws Exception {
        CompletableFuture<Long> holder = send("wait");
        await().until(() -> runs.get() == 1);
        List<CompletableFuture<Long>> notes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            notes.add(send("note " + i));
        }
        await().until(() -> batcher.queued() == 5);
        release.countDown();

        holder.get();
        for (CompletableFuture<Long> n : notes) {
            n.get();
        }
        assertThat(runs.get()).as("the held batch, then the five together").isEqualTo(2);
    }

    @Test
    void requestsBeyondTheQueuesCapacityAreTurnedAwayAtOnce() throws Exception {
        CompletableFuture<Long> holder = send("wait");
        await().until(() -> runs.get() == 1);
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < CAPACITY; i++) {
            queued.add(send("queued " + i));
        }
        await().until(() -> batcher.queued() == CAPACITY);

        assertThatThrownBy(() -> batcher.run("one too many")).isInstanceOfSatisfying(OverloadedException.class, e -> {
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
            assertThat(e.getMessage()).contains("too many notes");
        });
        release.countDown();
        holder.get();
        for (CompletableFuture<Long> q : queued) {
            q.get();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM note").query(Long.class).single()).isEqualTo(CAPACITY + 1);
    }
}
