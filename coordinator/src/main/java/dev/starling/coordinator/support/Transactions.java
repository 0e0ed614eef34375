package dev.starling.coordinator.support;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;
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
