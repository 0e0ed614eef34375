package dev.starling.coordinator.support;

import java.sql.SQLException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs work in a transaction, again from the start when PostgreSQL chose it as a deadlock victim. The
 * work must be a pure function of the database (which a rolled-back attempt left unchanged).
 */
@Component
public class Transactions {
    private static final Logger log = LoggerFactory.getLogger(Transactions.class);
    private static final int ATTEMPTS = 5;
    private final TransactionTemplate tx;

    Transactions(TransactionTemplate tx) {
        this.tx = tx;
    }

    /**
     * Whether a failure says the database cannot serve anyone right now (unreachable, out of connections, shutting
     * down, a lock conflict retried to the end), whatever the work asked of it; otherwise the database refused this
     * work itself.
     */
    public static boolean databaseUnavailable(Throwable e) {
        return e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException
                || e instanceof RecoverableDataAccessException || e instanceof CannotCreateTransactionException
                || e instanceof TransactionSystemException;
    }

    /**
     * Whether PostgreSQL refused text a statement carried: U+0000 in a {@code text} value (SQLSTATE 22021), or escaped
     * in a {@code jsonb} one (22P05). Only a client's text holds such a character, so the client is told (400), not the
     * operator (500); the statement failed, and with it its transaction: nothing was stored.
     */
    public static boolean refusedText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("22021".equals(s.getSQLState()) || "22P05".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    public <T> T retrying(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> work.get());
            } catch (PessimisticLockingFailureException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                log.debug("Lock conflict (attempt {} of {}), retrying: {}", attempt, ATTEMPTS, e.getMessage());
            }
        }
    }
}
