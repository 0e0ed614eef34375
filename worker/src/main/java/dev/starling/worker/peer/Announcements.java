package dev.starling.worker.peer;

import dev.starling.proto.v1.PeerComplaint;
import dev.starling.worker.peer.cache.CacheListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the coordinator's tracker has yet to hear from this worker: that it must be told everything again
 * (after a registration), blobs completed or dropped since the last announcement (the latest news of a blob
 * wins), and complaints about peers. The {@link Announcer} takes it in batches and puts a batch back when
 * its call failed, so nothing is lost while the coordinator is away.
 */
final class Announcements implements CacheListener {
    /** Complaints kept while the coordinator cannot be reached; older ones beyond this are dropped. */
    static final int MAX_COMPLAINTS = 1000;

    /** One announcement's worth. {@code full}: send every complete blob, with complete=true. */
    record Batch(boolean full, List<String> holding, List<String> dropped, List<PeerComplaint> complaints) {}

    private boolean full; // guarded by this
    private final Map<String, Boolean> held = new LinkedHashMap<>(); // guarded by this; blob id -> held now?
    private final List<PeerComplaint> complaints = new ArrayList<>(); // guarded by this

    /** The worker (re)registered: the tracker must hear the whole list. */
    synchronized void registered() {
        full = true;
        notifyAll();
    }

    @Override
    public synchronized void completed(String blobId) {
        held.put(blobId, Boolean.TRUE);
        notifyAll();
    }

    @Override
    public synchronized void dropped(List<String> blobIds) {
        blobIds.forEach(id -> held.put(id, Boolean.FALSE));
        notifyAll();
    }

    synchronized void complain(PeerComplaint complaint) {
        complaints.add(complaint);
        if (complaints.size() > MAX_COMPLAINTS) {
            complaints.remove(0);
        }
        notifyAll();
    }

    /** Waits until there is something to announce, and takes it all. */
    synchronized Batch take() throws InterruptedException {
        while (!full && held.isEmpty() && complaints.isEmpty()) {
            wait();
        }
        List<String> holding = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        held.forEach((id, now) -> (now ? holding : dropped).add(id));
        Batch batch = new Batch(full, holding, dropped, List.copyOf(complaints));
        full = false;
        held.clear();
        complaints.clear();
        return batch;
    }

    /** A batch could not be sent: it is sent again, under what happened since. */
    synchronized void putBack(Batch batch) {
        full |= batch.full();
        batch.holding().forEach(id -> held.putIfAbsent(id, Boolean.TRUE));
        batch.dropped().forEach(id -> held.putIfAbsent(id, Boolean.FALSE));
        complaints.addAll(0, batch.complaints());
        while (complaints.size() > MAX_COMPLAINTS) {
            complaints.remove(0);
        }
        notifyAll();
    }
}
