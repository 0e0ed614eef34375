package dev.starling.coordinator.dispatch;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of {@link WorkSignal}: {@code NOTIFY} on the channel {@code starling_work} in the caller's transaction, and
 * {@code LISTEN} on a connection of its own.
 */
@Repository
class WorkSignalQueries {
    static final String CHANNEL = "starling_work";

    private final DataSource dataSource;
    private final JdbcClient jdbc;

    WorkSignalQueries(DataSource dataSource, JdbcClient jdbc) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
    }

    /** Queues a notification carrying {@code count}, which PostgreSQL delivers when the transaction commits. */
    void announce(int count) {
        jdbc.sql("SELECT pg_notify('" + CHANNEL + "', :count)").param("count", Integer.toString(count))
                .query((rs, i) -> 1).list();
    }

    /** Listens on the channel, on a connection taken from the pool for as long as the listener is open. */
    Listener listen() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            Statement statement = connection.createStatement();
            statement.execute("LISTEN " + CHANNEL);
            return new Listener(connection, statement, connection.unwrap(PGConnection.class));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** A listening connection; closing it stops listening and gives the connection back. */
    static final class Listener implements AutoCloseable {
        private final Connection connection;
        private final Statement statement;
        private final PGConnection pg;

        private Listener(Connection connection, Statement statement, PGConnection pg) {
            this.connection = connection;
            this.statement = statement;
            this.pg = pg;
        }

        /** The payloads of the notifications received, waiting up to {@code millis} for one; empty when none. */
        List<String> await(int millis) throws SQLException {
            PGNotification[] notifications = pg.getNotifications(millis);
            List<String> payloads = new ArrayList<>();
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    payloads.add(n.getParameter());
                }
            }
            return payloads;
        }

        @Override
        public void close() throws SQLException {
            try (connection) {
                statement.close();
            }
        }
    }
}
