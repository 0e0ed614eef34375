package dev.starling.coordinator.peer;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.Sweeper;
import org.springframework.stereotype.Component;

/**
 * Forgets which peers hosts were offered once {@code starling.peers.complaint-window} has passed: a complaint
 * about a peer counts only within that time of the offer, so older offers are of no use.
 */
@Component
class OfferSweeper extends Sweeper {
    private static final int BATCH = 10_000;

    private final Tracker tracker;

    OfferSweeper(Tracker tracker, StarlingProperties properties) {
        super("peer-offers", properties.sweep().interval().multipliedBy(60));
        this.tracker = tracker;
    }

    @Override
    protected boolean step() {
        return tracker.forgetOffers(BATCH) == BATCH;
    }
}
