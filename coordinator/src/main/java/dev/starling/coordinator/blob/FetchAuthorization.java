package dev.starling.coordinator.blob;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.peer.FetchGrants;
import dev.starling.proto.v1.FetchGrant;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Whether a fetch token lets its bearer have a blob from the coordinator, whichever way it asks (PeerService over gRPC,
 * the browser facade over HTTP): the token is this coordinator's, current and names the blob, and the host it was
 * granted to is not banned, nor its volunteer (one primary-key read: a ban takes effect at once, not when the host's
 * tokens expire). A refusal is the status a worker's PeerService gives for the same token (docs/protocol.md).
 */
@Component
class FetchAuthorization {
    private final FetchGrants grants;
    private final HostTable hosts;
    private final BlobService blobs;
    private final Clock clock;

    FetchAuthorization(FetchGrants grants, HostTable hosts, BlobService blobs, Clock clock) {
        this.grants = grants;
        this.hosts = hosts;
        this.blobs = blobs;
        this.clock = clock;
    }

    /** The grant a request's token carries for its blob; a missing or unacceptable token is refused. */
    FetchGrant authorize(String blobId, String token) {
        if (!ContentAddress.isValid(blobId)) {
            throw invalid("blob_id must be sha256:<64 lower-case hex digits>, got '" + blobId + "'");
        }
        if (token == null || token.isEmpty()) {
            throw Status.UNAUTHENTICATED.withDescription("no fetch token; every PeerService call carries the token"
                    + " that came with the task reading the blob (BlobSource.token)").asRuntimeException();
        }
        FetchGrant grant = grants.check(token, blobId).orElseThrow(() -> refusal(token, blobId));
        hosts.refusal(grant.getHostId()).ifPresent(refusal -> {
            throw refused(Status.PERMISSION_DENIED, blobId, refusal);
        });
        return grant;
    }

    /** The stored blob: NOT_FOUND when the coordinator holds none of it (peers may). */
    Blob stored(String blobId) {
        return blobs.find(blobId).orElseThrow(() -> Status.NOT_FOUND.withDescription("the coordinator holds no part"
                + " of blob " + blobId + "; it serves uploaded blobs only, fetch this one from peers")
                .asRuntimeException());
    }

    /**
     * Why {@link FetchGrants#check} refused a token, in the order a worker's PeerService checks: UNAUTHENTICATED unless
     * the token is this coordinator's and current, PERMISSION_DENIED when it then grants another blob. What an
     * unsigned token claims is never believed.
     */
    private StatusRuntimeException refusal(String token, String blobId) {
        Optional<FetchGrant> signed = grants.signed(token);
        if (signed.isEmpty()) {
            return refused(Status.UNAUTHENTICATED, blobId, wellFormed(token) ? "its signature is not this coordinator's"
                    : "it is not a fetch token (<payload>.<signature>, base64url)");
        }
        FetchGrant grant = signed.get();
        if (grant.getExpiresEpochMillis() < clock.millis()) {
            return refused(Status.UNAUTHENTICATED, blobId, "it expired at "
                    + Instant.ofEpochMilli(grant.getExpiresEpochMillis()) + "; the next task reading the blob brings a fresh one");
        }
        return refused(Status.PERMISSION_DENIED, blobId, "it grants blob '" + grant.getBlobId() + "', not this one");
    }

    /** Whether the token has the form of one: a grant and a signature, base64url, a dot between them. */
    private static boolean wellFormed(String token) {
        int dot = token.indexOf('.');
        if (dot < 1 || dot == token.length() - 1) {
            return false;
        }
        try {
            FetchGrant.parseFrom(Base64.getUrlDecoder().decode(token.substring(0, dot)));
            Base64.getUrlDecoder().decode(token.substring(dot + 1));
            return true;
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static StatusRuntimeException refused(Status status, String blobId, String why) {
        return status.withDescription("fetch token refused for blob " + blobId + ": " + why).asRuntimeException();
    }

    static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
