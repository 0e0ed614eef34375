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
import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.Batcher;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.StrictRequests;
import dev.starling.coordinator.support.Transactions;
import dev.starling.coordinator.validation.Ack;
import dev.starling.coordinator.validation.Report;
import dev.starling.coordinator.validation.ReportService;
import dev.starling.coordinator.volunteer.AccountPreferences;
import dev.starling.coordinator.volunteer.VolunteerService;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.AnnounceBlobsResponse;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.Success;
import dev.starling.sdk.ContentAddress;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.HostControl;
import dev.starling.proto.v1.Lease;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.ReportResultsResponse;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.RotateTokenRequest;
import dev.starling.proto.v1.RotateTokenResponse;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WorkerServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
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
import org.springframework.transaction.TransactionException;
import org.springframework.stereotype.Service;

/**
 * The worker protocol over gRPC: translates messages to the coordinator's services and maps every
 * failure to a {@link Status} with a description a person can act on. Authentication happened in
 * {@link HostAuthInterceptor}.
 */
@Service
class WorkerGrpcService implements WorkerServiceGrpc.AsyncService, BindableService {
    private static final Logger log = LoggerFactory.getLogger(WorkerGrpcService.class);
    /** apps named in a log line at most */
    private static final int LOGGED_APPS = 10;

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
    private final NoWorkReasons reasons;

    WorkerGrpcService(HostService hosts, Dispatcher dispatcher, ReportService reports, Tracker peers,
            FetchGrants grants, VolunteerService volunteers, AccountPreferences preferences, PeerAddresses addresses,
            WorkerVersions versions, Admission admission, AppCatalog apps, StarlingProperties properties,
            BlobDrops drops, NoWorkReasons reasons) {
        this.drops = drops;
        this.reasons = reasons;
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

    /** Its methods answer a body that is not their request message INVALID_ARGUMENT (gRPC would answer UNKNOWN). */
    @Override
    public ServerServiceDefinition bindService() {
        return StrictRequests.of(WorkerServiceGrpc.bindService(this));
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
        answer(response, () -> admission.run(Admission.Kind.REGISTER, () -> {
            Optional<String> refusal = versions.refusal(Integer.toString(request.getProtocolVersion()));
            if (refusal.isPresent()) {
                throw Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException();
            }
            WireLimits.check(request);
            String name = request.getName().strip();
            // its range was checked (WireLimits): 1 MiB to 1 TiB
            Integer wasmMemory = request.hasWasm() ? request.getWasm().getMemoryMib() : null;
            String requested = request.getPeerAddress().strip();
            if (!requested.isEmpty() && !PeerAddresses.isValid(requested)) {
                throw invalid("peer_address must be host:port with a port from 1 to 65535, got '" + requested + "'");
            }
            // the worker picks the port; the address is where the coordinator sees it connect from
            String peerAddress = addresses.advertised(HostAuthInterceptor.CLIENT.get(), requested).orElse(null);
            HostDescription info = new HostDescription(name, request.getCores(), request.getMemoryBytes(), request.getOs(),
                    request.getArch(), request.getWorkerVersion(), request.getProtocolVersion(),
                    List.copyOf(request.getAppsList()), peerAddress, wasmMemory,
                    addresses.network(HostAuthInterceptor.CLIENT.get()));
            Long volunteer = null;
            if (!request.getAccountKey().isBlank()) {
                volunteer = volunteers.volunteerOf(request.getAccountKey()).orElseThrow(() -> Status.UNAUTHENTICATED
                        .withDescription("unknown account key: check --account-key (a rotated key no longer works; "
                                + "GET /api/v1/volunteers/me with the new one shows your hosts)").asRuntimeException());
            }
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
                List<String> apps = request.getAppsList();
                log.info("Registered host {} ({}, {} cores, apps {}{})", r.hostId(), name, request.getCores(),
                        apps.size() <= LOGGED_APPS ? apps
                                : apps.subList(0, LOGGED_APPS) + " and " + (apps.size() - LOGGED_APPS) + " more",
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
        }));
    }

    @Override
    public void requestWork(RequestWorkRequest request, StreamObserver<RequestWorkResponse> response) {
        answer(response, () -> {
            AuthenticatedHost host = HostAuthInterceptor.HOST.get();
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
            if (tasks.isEmpty() && !Context.current().isCancelled()) { // a call hung up hears nothing
                reasons.explain(host, request.getMaxTasks()).ifPresent(r -> b.setNoWork(NoWork.newBuilder()
                        .setReason(NoWork.Reason.valueOf(r.code().name())).setMessage(r.message())));
            } else if (!tasks.isEmpty()) {
                reasons.gaveWork(host.id());
            }
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
                        .addAllInputs(t.inputs().stream().map(WorkerGrpcService::source).toList());
                signature(t.app()).ifPresent(task::setAppSignature);
            }
            return b.build();
        });
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

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        answer(response, () -> admission.run(Admission.Kind.HEARTBEAT, () -> {
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
            Dispatcher.Beat beat = dispatcher.heartbeat(HostAuthInterceptor.HOST.get(), progress, suspended, parked);
            HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder().addAllAbandonResultIds(beat.abandon())
                    .setHostCredit(hosts.credit(HostAuthInterceptor.HOST.get().id()))
                    .setRotateToken(HostAuthInterceptor.HOST.get().rotateToken())
                    .addAllDropBlobIds(drops.take(HostAuthInterceptor.HOST.get().id()));
            control(HostAuthInterceptor.HOST.get()).ifPresent(b::setControl);
            beat.leases().forEach((id, until) -> b.addLeases(
                    Lease.newBuilder().setResultId(id).setLeaseExpiresEpochMillis(until.toEpochMilli())));
            return b.build();
        }));
    }

    @Override
    public void reportResults(ReportResultsRequest request, StreamObserver<ReportResultsResponse> response) {
        answer(response, () -> {
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
            for (Ack ack : reports.report(HostAuthInterceptor.HOST.get().id(), batch)) {
                b.addAcks(ReportAck.newBuilder().setResultId(ack.resultId())
                        .setStatus(ReportAck.Status.valueOf(ack.status().name())).setMessage(ack.message()));
            }
            b.addAllAcks(malformed);
            return b.build();
        });
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

    @Override
    public void rotateToken(RotateTokenRequest request, StreamObserver<RotateTokenResponse> response) {
        // a host's identity changes, as in Register, and under its permits: a fleet asked to rotate at once is a herd
        answer(response, () -> admission.run(Admission.Kind.REGISTER, () -> {
            long host = HostAuthInterceptor.HOST.get().id();
            String token = hosts.rotate(host).orElseThrow(() -> Status.UNAUTHENTICATED.withDescription(
                    "the token of host " + host + " was revoked: register again").asRuntimeException());
            log.info("Host {} was given a new token", host);
            return RotateTokenResponse.newBuilder().setHostToken(token).build();
        }));
    }

    @Override
    public void announceBlobs(AnnounceBlobsRequest request, StreamObserver<AnnounceBlobsResponse> response) {
        answer(response, () -> admission.run(Admission.Kind.ANNOUNCE, () -> {
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
            peers.announce(HostAuthInterceptor.HOST.get().id(), request.getHoldingList(), request.getDroppedList(),
                    request.getComplete(), complaints);
            return AnnounceBlobsResponse.getDefaultInstance();
        }));
    }

    private static void checkBlobId(String id, String field) {
        if (!ContentAddress.isValid(id)) {
            throw invalid(field + ": '" + id + "' is not a blob id (sha256:<64 lower-case hex digits>)");
        }
    }

    private static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }

    /** The one place where failures become statuses. */
    private <T> void answer(StreamObserver<T> response, java.util.function.Supplier<T> work) {
        T value;
        try {
            value = work.get();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        } catch (OverloadedException e) {
            response.onError(RetryHints.unavailable(e.getMessage(), e.retryAfter()));
            return;
        } catch (Batcher.StoppedException e) {
            response.onError(Status.UNAVAILABLE.withDescription("the coordinator is shutting down; retry")
                    .asRuntimeException());
            return;
        } catch (DataAccessException | TransactionException e) {
            if (Transactions.databaseUnavailable(e)) {
                log.warn("Database unavailable while serving a worker", e);
                response.onError(RetryHints.unavailable("the coordinator cannot reach its database right now; retry later",
                        admission.retryAfter()));
            } else {
                // the edge (WireLimits) lets nothing through that the database refuses: this is a coordinator bug
                log.error("The database refused a worker's call", e);
                response.onError(Status.INTERNAL.withDescription("the coordinator's database refused this call; its"
                        + " operator can find the cause in its log").asRuntimeException());
            }
            return;
        } catch (RuntimeException e) {
            log.error("Unexpected failure serving a worker", e);
            response.onError(Status.INTERNAL.withDescription(
                    "the coordinator failed to handle this call; its operator can find the cause in its log")
                    .asRuntimeException());
            return;
        }
        response.onNext(value);
        response.onCompleted();
    }
}
