package dev.starling.coordinator.dispatch;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.DeployedApp;
import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.host.HostDescription;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.WorkerVersions;
import dev.starling.coordinator.peer.BlobDrops;
import dev.starling.coordinator.peer.FetchGrants;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.RetryHints;
import dev.starling.coordinator.validation.Ack;
import dev.starling.coordinator.validation.Report;
import dev.starling.coordinator.validation.ReportService;
import dev.starling.coordinator.volunteer.AccountPreferences;
import dev.starling.coordinator.volunteer.VolunteerService;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.AnnounceBlobsResponse;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.HostControl;
import dev.starling.proto.v1.Lease;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.RotateTokenResponse;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;

/**
 * The worker protocol (worker.proto) whatever carries it: gRPC for workers ({@link WorkerGrpcService}), JSON over
 * HTTP for browser tabs (the {@code browser} package). Each call takes its request message and the host it was
 * authenticated as, checks the request at the edge ({@link WireLimits}), and answers its response message; a
 * refusal is a {@link StatusRuntimeException} with a description a person can act on, which each transport maps to
 * its own statuses. Busy coordinators and unreachable databases surface as the exceptions the services throw
 * ({@link OverloadedException}, {@link DataAccessException}), mapped by the transport too.
 */
@Service
public class WorkerProtocol {
    private static final Logger log = LoggerFactory.getLogger(WorkerProtocol.class);
    /** apps named in a log line at most */
    private static final int LOGGED_APPS = 10;
    /** the most results one report (or give-back) may carry */
    public static final int MAX_RESULTS = WireLimits.MAX_RESULTS;

    private final HostService hosts;
    private final Dispatcher dispatcher;
    private final ReportService reports;
    private final Tracker peers;
    private final VolunteerService volunteers;
    private final AccountPreferences preferences;
    private final StarlingProperties.Dispatch settings;
    private final boolean anonymousHosts;
    private final ByteString grantPublicKey;
    private final PeerAddresses addresses;
    private final WorkerVersions versions;
    private final Admission admission;
    private final AppCatalog apps;
    private final BlobDrops drops;

    WorkerProtocol(HostService hosts, Dispatcher dispatcher, ReportService reports, Tracker peers, FetchGrants grants,
            VolunteerService volunteers, AccountPreferences preferences, PeerAddresses addresses,
            WorkerVersions versions, Admission admission, AppCatalog apps, StarlingProperties properties,
            BlobDrops drops) {
        this.drops = drops;
        this.apps = apps;
        this.addresses = addresses;
        this.versions = versions;
        this.admission = admission;
        this.volunteers = volunteers;
        this.preferences = preferences;
        this.anonymousHosts = properties.volunteers().anonymousHosts();
        this.peers = peers;
        this.grantPublicKey = ByteString.copyFrom(grants.publicKey());
        this.hosts = hosts;
        this.dispatcher = dispatcher;
        this.reports = reports;
        this.settings = properties.dispatch();
    }

    /**
     * Refuses a caller that speaks a protocol version this coordinator does not take ({@code starling-protocol}; null
     * when it sent none): FAILED_PRECONDITION saying what to install.
     */
    public void checkProtocol(String sent) {
        Optional<String> refusal = versions.refusal(sent);
        if (refusal.isPresent()) {
            throw Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException();
        }
    }

    /**
     * The host an {@code authorization} header ({@code Bearer <host token>}; null when there was none) names:
     * UNAUTHENTICATED when it names none, PERMISSION_DENIED with the admin's reason when the host or its volunteer is
     * banned, UNAVAILABLE with a hint of when to come back when the token cannot be checked now.
     */
    public AuthenticatedHost authenticate(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw Status.UNAUTHENTICATED.withDescription(
                    "missing 'authorization: Bearer <host token>'; call Register first").asRuntimeException();
        }
        String token = authorization.substring("Bearer ".length()).trim();
        if (token.length() > WireLimits.MAX_SECRET) {
            throw Status.UNAUTHENTICATED.withDescription(
                    "unknown host token (longer than any this coordinator hands out): register again").asRuntimeException();
        }
        Optional<AuthenticatedHost> host;
        try {
            host = hosts.authenticate(token);
        } catch (OverloadedException e) {
            throw RetryHints.unavailable(e.getMessage(), e.retryAfter());
        } catch (DataAccessException | TransactionException e) {
            throw RetryHints.unavailable("the coordinator cannot reach its database right now; retry later",
                    admission.retryAfter());
        }
        if (host.isEmpty()) {
            throw Status.UNAUTHENTICATED.withDescription(
                    "unknown host token; the coordinator does not know this host: register again").asRuntimeException();
        }
        if (host.get().banned()) {
            throw Status.PERMISSION_DENIED.withDescription(host.get().refusal()).asRuntimeException();
        }
        return host.get();
    }

    /**
     * Register by a worker: the host belongs to the volunteer whose account key it sends (none: an anonymous host,
     * when this coordinator takes them).
     *
     * @param client where the call comes from (null when it cannot be told): the host's network, and the address
     *     peers are sent to
     */
    public RegisterResponse register(RegisterRequest request, InetAddress client) {
        return admission.run(Admission.Kind.REGISTER, () -> {
            checkRegistration(request);
            Long volunteer = null;
            if (!request.getAccountKey().isBlank()) {
                volunteer = volunteers.volunteerOf(request.getAccountKey()).orElseThrow(() -> Status.UNAUTHENTICATED
                        .withDescription("unknown account key: check --account-key (a rotated key no longer works; "
                                + "GET /api/v1/volunteers/me with the new one shows your hosts)").asRuntimeException());
            }
            return registerChecked(request, client, volunteer);
        });
    }

    /**
     * Register of a host whose volunteer is known otherwise (a browser tab: the volunteer's web session); the request
     * carries no account key.
     */
    public RegisterResponse register(RegisterRequest request, InetAddress client, long volunteer) {
        return admission.run(Admission.Kind.REGISTER, () -> {
            checkRegistration(request);
            if (!request.getAccountKey().isEmpty()) {
                throw invalid("account_key: a host registered by a signed-in volunteer carries no account key");
            }
            return registerChecked(request, client, volunteer);
        });
    }

    private void checkRegistration(RegisterRequest request) {
        Optional<String> refusal = versions.refusal(Integer.toString(request.getProtocolVersion()));
        if (refusal.isPresent()) {
            throw Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException();
        }
        WireLimits.check(request);
    }

    private RegisterResponse registerChecked(RegisterRequest request, InetAddress client, Long volunteer) {
        String name = request.getName().strip();
        // its range was checked (WireLimits): 1 MiB to 1 TiB
        Integer wasmMemory = request.hasWasm() ? request.getWasm().getMemoryMib() : null;
        String requested = request.getPeerAddress().strip();
        if (!requested.isEmpty() && !PeerAddresses.isValid(requested)) {
            throw invalid("peer_address must be host:port with a port from 1 to 65535, got '" + requested + "'");
        }
        // the worker picks the port; the address is where the coordinator sees it connect from
        String peerAddress = addresses.advertised(client, requested).orElse(null);
        HostDescription info = new HostDescription(name, request.getCores(), request.getMemoryBytes(), request.getOs(),
                request.getArch(), request.getWorkerVersion(), request.getProtocolVersion(),
                List.copyOf(request.getAppsList()), peerAddress, wasmMemory, addresses.network(client));
        HostService.Registration r;
        try {
            r = hosts.register(info, request.getHostId(), request.getHostToken(), volunteer, anonymousHosts);
        } catch (HostService.BannedHostException e) {
            throw Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException();
        } catch (HostService.RevokedTokenException e) {
            throw Status.UNAUTHENTICATED.withDescription(e.getMessage()).asRuntimeException();
        } catch (HostService.AnonymousHostException e) {
            throw Status.UNAUTHENTICATED.withDescription("this coordinator takes hosts of volunteers only: start "
                    + "the worker with --account-key KEY (sign up with POST /api/v1/volunteers to get one)")
                    .asRuntimeException();
        }
        if (volunteer != null) {
            preferences.of(volunteer); // read now, with the registration: its first RequestWork needs no read
        }
        if (r.hostId() != request.getHostId()) {
            List<String> offered = request.getAppsList();
            log.info("Registered host {} ({}, {} cores, apps {}{})", r.hostId(), name, request.getCores(),
                    offered.size() <= LOGGED_APPS ? offered
                            : offered.subList(0, LOGGED_APPS) + " and " + (offered.size() - LOGGED_APPS) + " more",
                    wasmMemory == null ? "" : ", WebAssembly with " + wasmMemory + " MiB");
        }
        return RegisterResponse.newBuilder()
                .setHostId(r.hostId())
                .setHostToken(r.token())
                .setHeartbeatIntervalMillis((int) settings.heartbeatInterval().toMillis())
                .setMaxWaitMillis((int) settings.maxWait().toMillis())
                .setGrantPublicKey(grantPublicKey)
                .setHostCredit(hosts.credit(r.hostId()))
                .setPeerAddress(peerAddress == null ? "" : peerAddress)
                .setUpdateNotice(versions.notice(request.getProtocolVersion(), request.getWorkerVersion()).orElse(""))
                .build();
    }

    /** RequestWork: claims tasks for the host, waiting for work up to what the server grants (long poll). */
    public RequestWorkResponse requestWork(AuthenticatedHost host, RequestWorkRequest request) {
        List<ClaimedTask> tasks;
        try {
            tasks = dispatcher.requestWork(host, request.getMaxTasks(), Duration.ofMillis(request.getWaitMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.UNAVAILABLE.withDescription("the coordinator is shutting down; retry").asRuntimeException();
        }
        RequestWorkResponse.Builder b = RequestWorkResponse.newBuilder().setRotateToken(host.rotateToken())
                .addAllDropBlobIds(drops.take(host.id()));
        control(host).ifPresent(b::setControl);
        for (ClaimedTask t : tasks) {
            Task.Builder task = b.addTasksBuilder()
                    .setResultId(t.resultId())
                    .setWorkUnitId(t.workUnitId())
                    .setJobId(t.jobId())
                    .setApp(t.app())
                    .setStage(t.stage())
                    .setIndex(t.index())
                    .setInput(ByteString.copyFrom(t.input()))
                    .setCost(t.cost())
                    .setDeadlineEpochMillis(t.deadline().toEpochMilli())
                    .setLeaseExpiresEpochMillis(t.leaseExpires().toEpochMilli())
                    .addAllInputs(t.inputs().stream().map(WorkerProtocol::source).toList());
            signature(t.app()).ifPresent(task::setAppSignature);
        }
        return b.build();
    }

    /**
     * What the host's volunteer decided for it on the web: pause, and the preferences of its venue (remembered per
     * volunteer, so a call rarely reads them). When they cannot be read (the database is busy or away), none is sent
     * this time, which the worker takes as "no change", and the call goes on.
     */
    private Optional<HostControl> control(AuthenticatedHost host) {
        HostControl.Builder control = HostControl.newBuilder().setPaused(host.paused());
        if (host.volunteerId() != null) {
            AccountPreferences.Account account;
            try {
                account = preferences.of(host.volunteerId());
            } catch (DataAccessException | TransactionException e) {
                log.debug("Host {}'s controls not sent: {}", host.id(), e.toString());
                return Optional.empty();
            }
            control.setVenue(account.venueOf(host.id())).putAllPreferences(account.of(host.id()));
        }
        return Optional.of(control.build());
    }

    /** A deployed version's signature by the project's key (cached with the version), for the worker to check. */
    private Optional<AppSignature> signature(String app) {
        if (!AppCatalog.isDeployed(app)) {
            return Optional.empty();
        }
        return apps.find(app).filter(DeployedApp.class::isInstance)
                .flatMap(a -> ((DeployedApp) a).signature());
    }

    /** Heartbeat: the progress of the host's running tasks; extends their leases, says which to abandon. */
    public HeartbeatResponse heartbeat(AuthenticatedHost host, HeartbeatRequest request) {
        return admission.run(Admission.Kind.HEARTBEAT, () -> {
            WireLimits.check(request);
            Map<Long, Double> progress = new LinkedHashMap<>();
            Set<Long> suspended = new HashSet<>();
            Set<Long> parked = new HashSet<>();
            for (TaskProgress p : request.getTasksList()) {
                double f = p.getFractionDone();
                if (!(f >= 0 && f <= 1)) {
                    throw invalid("fraction_done of result " + p.getResultId() + " must be between 0 and 1, got " + f);
                }
                progress.put(p.getResultId(), f);
                if (p.getSuspended() || p.getParked()) {
                    suspended.add(p.getResultId());
                }
                if (p.getParked()) {
                    parked.add(p.getResultId());
                }
            }
            Dispatcher.Beat beat = dispatcher.heartbeat(host, progress, suspended, parked);
            HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder().addAllAbandonResultIds(beat.abandon())
                    .setHostCredit(hosts.credit(host.id()))
                    .setRotateToken(host.rotateToken())
                    .addAllDropBlobIds(drops.take(host.id()));
            control(host).ifPresent(b::setControl);
            beat.leases().forEach((id, until) -> b.addLeases(
                    Lease.newBuilder().setResultId(id).setLeaseExpiresEpochMillis(until.toEpochMilli())));
            return b.build();
        });
    }

    /** ReportResults: the host's finished tasks, in one batch; an ack per result, in request order. */
    public ReportResultsResponse reportResults(AuthenticatedHost host, ReportResultsRequest request) {
        return reportResults(host.id(), request);
    }

    /**
     * A report of the host's finished tasks, by the host's id: a browser tab's give-back, authenticated by a token of
     * its own rather than the host token, comes here too.
     */
    public ReportResultsResponse reportResults(long hostId, ReportResultsRequest request) {
        WireLimits.check(request);
        List<Report> batch = new ArrayList<>();
        List<ReportAck> malformed = new ArrayList<>();
        for (TaskResult r : request.getResultsList()) {
            switch (r.getOutcomeCase()) {
                case SUCCESS -> batch.add(new Report(r.getResultId(), Report.Kind.SUCCESS,
                        r.getSuccess().getOutput().toByteArray(), r.getSuccess().getOutputHash(),
                        r.getSuccess().getOutputSize(), null, r.getCpuTimeMillis(), produced(r.getSuccess()),
                        List.of(), r.getTransfer().getBytesFromPeers()));
                case FAILURE -> batch.add(new Report(r.getResultId(), kind(r.getFailure().getKind()),
                        null, null, 0, WireLimits.message(r.getFailure().getMessage()), r.getCpuTimeMillis(), Map.of(),
                        r.getFailure().getMissingBlobIdsList(), r.getTransfer().getBytesFromPeers()));
                default -> malformed.add(ReportAck.newBuilder().setResultId(r.getResultId())
                        .setStatus(ReportAck.Status.REJECTED)
                        .setMessage("result " + r.getResultId() + " has neither success nor failure").build());
            }
        }
        ReportResultsResponse.Builder b = ReportResultsResponse.newBuilder();
        for (Ack ack : reports.report(hostId, batch)) {
            b.addAcks(ReportAck.newBuilder().setResultId(ack.resultId())
                    .setStatus(ReportAck.Status.valueOf(ack.status().name())).setMessage(ack.message()));
        }
        b.addAllAcks(malformed);
        return b.build();
    }

    private static Report.Kind kind(Failure.Kind kind) {
        return switch (kind) {
            case GIVEN_BACK -> Report.Kind.GIVEN_BACK;
            case INPUT_UNAVAILABLE -> Report.Kind.INPUT_UNAVAILABLE;
            default -> Report.Kind.ERROR;
        };
    }

    /** The blobs a success says it stored, by id (a repeated id keeps its last size). */
    private static Map<String, Long> produced(Success success) {
        Map<String, Long> produced = new LinkedHashMap<>();
        success.getProducedList().forEach(b -> produced.put(b.getBlobId(), b.getSize()));
        return produced;
    }

    private static BlobSource source(Tracker.Offer offer) {
        return BlobSource.newBuilder()
                .setBlobId(offer.blobId())
                .setSize(Math.max(0, offer.size()))
                .addAllPeers(offer.peers().stream()
                        .map(h -> Peer.newBuilder().setHostId(h.hostId()).setAddress(h.address()).build()).toList())
                .setCoordinatorHasIt(offer.coordinatorHasIt())
                .setToken(offer.token())
                .build();
    }

    /** RotateToken: a new token for the host, kept beside its current one until it is first used. */
    public RotateTokenResponse rotateToken(AuthenticatedHost host) {
        // a host's identity changes, as in Register, and under its permits: a fleet asked to rotate at once is a herd
        return admission.run(Admission.Kind.REGISTER, () -> {
            String token = hosts.rotate(host.id()).orElseThrow(() -> Status.UNAUTHENTICATED.withDescription(
                    "the token of host " + host.id() + " was revoked: register again").asRuntimeException());
            log.info("Host {} was given a new token", host.id());
            return RotateTokenResponse.newBuilder().setHostToken(token).build();
        });
    }

    /** AnnounceBlobs: the blobs the host now holds, those it dropped, and the peers that served it bad data. */
    public AnnounceBlobsResponse announceBlobs(AuthenticatedHost host, AnnounceBlobsRequest request) {
        return admission.run(Admission.Kind.ANNOUNCE, () -> {
            WireLimits.check(request);
            for (String id : request.getHoldingList()) {
                checkBlobId(id, "holding");
            }
            for (String id : request.getDroppedList()) {
                checkBlobId(id, "dropped");
            }
            List<Tracker.Complaint> complaints = new ArrayList<>();
            for (PeerComplaint c : request.getComplaintsList()) {
                checkBlobId(c.getBlobId(), "complaints.blob_id");
                Tracker.Complaint.Kind kind = switch (c.getKind()) {
                    case KIND_UNSPECIFIED, BAD_CHUNK -> Tracker.Complaint.Kind.BAD_CHUNK;
                    case BAD_MANIFEST -> Tracker.Complaint.Kind.BAD_MANIFEST;
                    case UNRECOGNIZED -> null; // a newer worker's kind: not one this coordinator knows the bytes prove
                };
                if (kind != null) {
                    complaints.add(new Tracker.Complaint(c.getHostId(), c.getBlobId(), c.getChunk(),
                            WireLimits.message(c.getReason()), kind));
                }
            }
            peers.announce(host.id(), request.getHoldingList(), request.getDroppedList(), request.getComplete(),
                    complaints);
            return AnnounceBlobsResponse.getDefaultInstance();
        });
    }

    private static void checkBlobId(String id, String field) {
        if (!ContentAddress.isValid(id)) {
            throw invalid(field + ": '" + id + "' is not a blob id (sha256:<64 lower-case hex digits>)");
        }
    }

    static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
