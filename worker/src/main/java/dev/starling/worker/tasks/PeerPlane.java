package dev.starling.worker.tasks;

import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.Task;
import java.util.List;

/**
 * The peer-to-peer data plane as the worker's core sees it, and all it sees of it: a task's inputs fetched before it
 * computes, the blobs a task reads and stores, and the registrations the plane must hear of to keep the coordinator's
 * tracker informed. The blob cache, peers, fetch tokens and announcements stay behind it ({@code peer.DataPlane}).
 */
public interface PeerPlane {

    /**
     * Inputs for a task: a runner that gets a task's input blobs into the cache (from peers, the coordinator last),
     * verified, and keeps them there while {@code compute} runs it. A task whose inputs cannot be had ends without
     * computing (INPUT_UNAVAILABLE, or given back).
     */
    TaskRunner fetchingInputs(TaskRunner compute);

    /** The blobs a task reads and stores, for one run of it: {@link TaskBlobs#release} when the run ends. */
    TaskBlobs blobsOf(Task task);

    /**
     * Announcements: the worker registered (again). The plane checks peers' fetch tokens with the key the answer
     * brings, and the tracker hears every blob this worker holds again.
     */
    void registered(RegisterResponse response);

    /**
     * The coordinator no longer keeps these blobs (RequestWorkResponse and HeartbeatResponse {@code drop_blob_ids}):
     * drop them from the cache, but for those a task is using.
     */
    void drop(List<String> blobIds);

    /** Where peers reach this worker, for the registration; empty when it serves none. */
    String peerAddress();

    /** What the plane holds and moved, for the periodic summary line. */
    String summary();
}
