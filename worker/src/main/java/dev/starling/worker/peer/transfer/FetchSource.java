package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.PeerServiceGrpc.PeerServiceBlockingStub;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A peer, or the coordinator, as one fetch sees it. */
final class FetchSource {
    final long hostId;
    final String address;
    final PeerServiceBlockingStub stub;
    /** every call to this source runs in it: cancelling it ends them all */
    final Context.CancellableContext context;
    final boolean isCoordinator;
    BitSet have = new BitSet();
    /** chunks the coordinator said it holds (as a seed): trusted until a request shows otherwise */
    final BitSet hinted = new BitSet();
    boolean haveKnown;
    boolean refreshing;
    /** its first bitfield is awaited before any peer is sent requests, so that they spread over all peers */
    boolean initial;
    int inFlight;
    boolean dropped;

    FetchSource(long hostId, String address, PeerServiceBlockingStub stub, Context.CancellableContext context,
            boolean isCoordinator) {
        this.hostId = hostId;
        this.address = address;
        this.stub = stub;
        this.context = context;
        this.isCoordinator = isCoordinator;
    }

    /** Makes a unary call with a deadline, in this source's context (dropping the source cancels the call). */
    <T> T call(Duration timeout, Function<PeerServiceBlockingStub, T> call) {
        try {
            return context.call(() -> call.apply(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw Status.INTERNAL.withDescription("the call failed: " + e).withCause(e).asRuntimeException();
        }
    }

    @Override
    public String toString() {
        return isCoordinator ? "the coordinator" : "host " + hostId + " at " + address;
    }
}

