package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import fr.interieur.neogend.kit.grpc.ProtoMapping;
import fr.interieur.neogend.telemetry.campaign.Campaign;
import fr.interieur.neogend.telemetry.campaign.CampaignService;
import fr.interieur.neogend.telemetry.commands.CommandService;
import fr.interieur.neogend.telemetry.enrolment.DeviceCredentials;
import fr.interieur.neogend.telemetry.enrolment.EnrolmentService;
import fr.interieur.neogend.telemetry.fleet.Fleet;
import fr.interieur.neogend.telemetry.fleet.FleetViews;
import fr.interieur.neogend.telemetry.ingestion.IngestionService;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.revocation.InventoryEvent;
import fr.interieur.neogend.telemetry.revocation.InventoryEventHandler;
import fr.interieur.neogend.telemetry.rom.RomService;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseResponse;
import fr.interieur.neogend.telemetry.v1.BatteryBand;
import fr.interieur.neogend.telemetry.v1.CancelUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.CancelUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialRequest;
import fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialResponse;
import fr.interieur.neogend.telemetry.v1.CreateUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.CreateUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceResponse;
import fr.interieur.neogend.telemetry.v1.ExportUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.ExportUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest;
import fr.interieur.neogend.telemetry.v1.FindDevicesNearResponse;
import fr.interieur.neogend.telemetry.v1.GetBatteryHealthRequest;
import fr.interieur.neogend.telemetry.v1.GetBatteryHealthResponse;
import fr.interieur.neogend.telemetry.v1.GetComplianceRequest;
import fr.interieur.neogend.telemetry.v1.GetComplianceResponse;
import fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest;
import fr.interieur.neogend.telemetry.v1.GetDeviceStateResponse;
import fr.interieur.neogend.telemetry.v1.GetUnitComplianceRequest;
import fr.interieur.neogend.telemetry.v1.GetUnitComplianceResponse;
import fr.interieur.neogend.telemetry.v1.GetUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.GetUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.ListDeviceCommandsRequest;
import fr.interieur.neogend.telemetry.v1.ListDeviceCommandsResponse;
import fr.interieur.neogend.telemetry.v1.ListDeviceReadingsRequest;
import fr.interieur.neogend.telemetry.v1.ListDeviceReadingsResponse;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesRequest;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesResponse;
import fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest;
import fr.interieur.neogend.telemetry.v1.ListPositionAccessesResponse;
import fr.interieur.neogend.telemetry.v1.ListRomReleasesRequest;
import fr.interieur.neogend.telemetry.v1.ListRomReleasesResponse;
import fr.interieur.neogend.telemetry.v1.ListSilentDevicesRequest;
import fr.interieur.neogend.telemetry.v1.ListSilentDevicesResponse;
import fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest;
import fr.interieur.neogend.telemetry.v1.ListUnitPositionsResponse;
import fr.interieur.neogend.telemetry.v1.ListUpdateCampaignsRequest;
import fr.interieur.neogend.telemetry.v1.ListUpdateCampaignsResponse;
import fr.interieur.neogend.telemetry.v1.ModelCompliance;
import fr.interieur.neogend.telemetry.v1.PauseUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.PauseUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseResponse;
import fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest;
import fr.interieur.neogend.telemetry.v1.QueueDeviceCommandResponse;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventResponse;
import fr.interieur.neogend.telemetry.v1.ResumeUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.ResumeUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.StreamReadingsRequest;
import fr.interieur.neogend.telemetry.v1.StreamReadingsResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.telemetry.v1.UploadReadingsResponse;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.instant;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.campaign;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.command;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.progress;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.reading;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.readings;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.rejected;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.release;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.results;
import static fr.interieur.neogend.telemetry.grpc.TelemetryMessages.state;

/** The telemetry gRPC API: maps proto messages to the domain and back. */
@Service
public class TelemetryGrpcService extends TelemetryServiceGrpc.TelemetryServiceImplBase {

    private final InventoryEventHandler inventoryEvents;
    private final EnrolmentService enrolment;
    private final IngestionService ingestion;

    private final PositionQueries queries;
    private final CommandService commands;
    private final RomService roms;
    private final Fleet fleet;
    private final FleetViews fleetViews;
    private final CampaignService campaigns;

    public TelemetryGrpcService(
            InventoryEventHandler inventoryEvents,
            EnrolmentService enrolment,
            IngestionService ingestion,
            PositionQueries queries,
            CommandService commands,
            RomService roms,
            Fleet fleet,
            FleetViews fleetViews,
            CampaignService campaigns) {
        this.campaigns = campaigns;
        this.fleet = fleet;
        this.fleetViews = fleetViews;
        this.inventoryEvents = inventoryEvents;
        this.enrolment = enrolment;
        this.ingestion = ingestion;
        this.queries = queries;
        this.commands = commands;
        this.roms = roms;
    }

    @Override
    public void createUpdateCampaign(
            CreateUpdateCampaignRequest request, StreamObserver<CreateUpdateCampaignResponse> response) {
        var c = request.getCampaign();
        Campaign created = campaigns.create(
                new CampaignService.NewCampaign(
                        c.getReleaseId(),
                        c.getUnitCode(),
                        c.getWavePercentsList(),
                        c.getHaltFailurePercent(),
                        TelemetryMessages.windows(c.getMaintenanceWindowsList()),
                        c.getUnitWavesList().stream()
                                .map(w -> java.util.List.copyOf(w.getUnitCodesList()))
                                .toList()),
                CallerContext.current());
        response.onNext(CreateUpdateCampaignResponse.newBuilder()
                .setCampaign(campaign(created))
                .build());
        response.onCompleted();
    }

    @Override
    public void getUpdateCampaign(
            GetUpdateCampaignRequest request, StreamObserver<GetUpdateCampaignResponse> response) {
        CampaignService.View v = campaigns.get(request.getId(), CallerContext.current());
        var out = GetUpdateCampaignResponse.newBuilder().setCampaign(campaign(v.campaign()));
        v.waves().forEach(p -> out.addWaves(progress(p)));
        v.units().forEach(p -> out.addUnits(progress(p)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void exportUpdateCampaign(
            ExportUpdateCampaignRequest request, StreamObserver<ExportUpdateCampaignResponse> response) {
        String csv = campaigns.csv(request.getId(), CallerContext.current());
        ProtoMapping.reply(
                response,
                ExportUpdateCampaignResponse.newBuilder()
                        .setFile(com.google.api.HttpBody.newBuilder()
                                .setContentType("text/csv; charset=utf-8")
                                .setData(com.google.protobuf.ByteString.copyFromUtf8(csv)))
                        .build());
    }

    @Override
    public void listUpdateCampaigns(
            ListUpdateCampaignsRequest request, StreamObserver<ListUpdateCampaignsResponse> response) {
        var out = ListUpdateCampaignsResponse.newBuilder();
        campaigns.list().forEach(c -> out.addCampaigns(campaign(c)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void pauseUpdateCampaign(
            PauseUpdateCampaignRequest request, StreamObserver<PauseUpdateCampaignResponse> response) {
        response.onNext(PauseUpdateCampaignResponse.newBuilder()
                .setCampaign(campaign(campaigns.pause(request.getId())))
                .build());
        response.onCompleted();
    }

    @Override
    public void resumeUpdateCampaign(
            ResumeUpdateCampaignRequest request, StreamObserver<ResumeUpdateCampaignResponse> response) {
        response.onNext(ResumeUpdateCampaignResponse.newBuilder()
                .setCampaign(campaign(campaigns.resume(request.getId())))
                .build());
        response.onCompleted();
    }

    @Override
    public void cancelUpdateCampaign(
            CancelUpdateCampaignRequest request, StreamObserver<CancelUpdateCampaignResponse> response) {
        response.onNext(CancelUpdateCampaignResponse.newBuilder()
                .setCampaign(campaign(campaigns.cancel(request.getId())))
                .build());
        response.onCompleted();
    }

    @Override
    public void publishRomRelease(
            PublishRomReleaseRequest request, StreamObserver<PublishRomReleaseResponse> response) {
        var r = request.getRelease();
        RomService.Release stored = roms.publish(
                r.getModel(),
                r.getBuildFingerprint(),
                r.getSecurityPatchLevel(),
                r.getKernelSourceSha256(),
                r.getKernelConfig(),
                r.hasBulletinDate() ? date(r.getBulletinDate(), "release.bulletin_date") : null,
                r.getOtaUrl(),
                r.getOtaSha256(),
                CallerContext.current());
        response.onNext(PublishRomReleaseResponse.newBuilder()
                .setRelease(release(stored))
                .build());
        response.onCompleted();
    }

    @Override
    public void listRomReleases(ListRomReleasesRequest request, StreamObserver<ListRomReleasesResponse> response) {
        var out = ListRomReleasesResponse.newBuilder();
        roms.list(
                        request.getModel().isBlank() ? Optional.empty() : Optional.of(request.getModel()),
                        CallerContext.current())
                .forEach(r -> out.addReleases(release(r)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void listPatchTimelines(
            ListPatchTimelinesRequest request, StreamObserver<ListPatchTimelinesResponse> response) {
        var out = ListPatchTimelinesResponse.newBuilder();
        roms.timelines(
                        ProtoMapping.text(request.getSupplierId()),
                        ProtoMapping.date(request.hasPublishedFrom(), request.getPublishedFrom(), "published_from"),
                        ProtoMapping.date(
                                request.hasPublishedBefore(), request.getPublishedBefore(), "published_before"),
                        CallerContext.current())
                .forEach(t -> out.addTimelines(TelemetryMessages.timeline(t)));
        ProtoMapping.reply(response, out.build());
    }

    @Override
    public void approveRomRelease(
            ApproveRomReleaseRequest request, StreamObserver<ApproveRomReleaseResponse> response) {
        response.onNext(ApproveRomReleaseResponse.newBuilder()
                .setRelease(release(roms.approve(request.getId(), CallerContext.current())))
                .build());
        response.onCompleted();
    }

    @Override
    public void getCompliance(GetComplianceRequest request, StreamObserver<GetComplianceResponse> response) {
        var devices = fleet.inService(Optional.empty());
        var out = GetComplianceResponse.newBuilder().setUnknownBuildDevices(roms.unknownBuildDevices(devices));
        roms.compliance(devices).forEach(c -> out.addModels(modelCompliance(c)));
        // central stock: counted in the models' lines, shown by no unit view — its own lines make the sum whole
        roms.compliance(devices.stream().filter(d -> d.unitCode().isEmpty()).toList())
                .forEach(c -> out.addCentralStock(modelCompliance(c)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static ModelCompliance modelCompliance(RomService.ModelCompliance c) {
        return ModelCompliance.newBuilder()
                .setModel(c.model())
                .setApprovedPatchLevel(
                        c.approvedPatchLevel().map(Object::toString).orElse(""))
                .setDevices(c.devices())
                .setReporting(c.reporting())
                .setNonCompliant(c.nonCompliant())
                .setMaxGapDays(c.maxGapDays())
                .setAverageGapDays(c.averageGapDays())
                .setSupplierDelayDays(c.supplierDelayDays())
                .build();
    }

    @Override
    public void listUnitPositions(
            ListUnitPositionsRequest request, StreamObserver<ListUnitPositionsResponse> response) {
        PositionQueries.UnitMap map =
                queries.unitPositions(request.getUnitCode(), request.getMaxAgeMinutes(), CallerContext.current());
        var out = ListUnitPositionsResponse.newBuilder().setDevicesInUnit(map.devicesInUnit());
        map.states().forEach(s -> out.addStates(state(s)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void getUnitCompliance(
            GetUnitComplianceRequest request, StreamObserver<GetUnitComplianceResponse> response) {
        var out = GetUnitComplianceResponse.newBuilder();
        if (request.getUnitCode().isBlank()) {
            throw InvalidArgumentException.of("unit_code", "is required");
        }
        roms.unitCompliance(fleet.inService(Optional.of(request.getUnitCode()))).forEach(c -> {
            var line = out.addLinesBuilder()
                    .setUnitCode(c.unitCode())
                    .setModel(c.model())
                    .setDevices(c.devices())
                    .setReporting(c.reporting())
                    .setNonCompliant(c.nonCompliant())
                    .setMaxGapDays(c.maxGapDays())
                    .addAllNonCompliantImeis(c.nonCompliantImeis());
            c.approvedPatchLevel().ifPresent(p -> line.setApprovedPatchLevel(p.toString()));
        });
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void queueDeviceCommand(
            QueueDeviceCommandRequest request, StreamObserver<QueueDeviceCommandResponse> response) {
        response.onNext(QueueDeviceCommandResponse.newBuilder()
                .setCommand(command(commands.queue(
                        request.getImei(),
                        TelemetryEnums.command(request.getCommand()),
                        request.getReleaseId(),
                        CallerContext.current())))
                .build());
        response.onCompleted();
    }

    @Override
    public void listDeviceCommands(
            ListDeviceCommandsRequest request, StreamObserver<ListDeviceCommandsResponse> response) {
        var out = ListDeviceCommandsResponse.newBuilder();
        commands.list(request.getImei()).forEach(c -> out.addCommands(command(c)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void getBatteryHealth(GetBatteryHealthRequest request, StreamObserver<GetBatteryHealthResponse> response) {
        FleetViews.Battery b = fleetViews.battery(request.getLowPercent());
        var out = GetBatteryHealthResponse.newBuilder()
                .addAllLowImeis(b.lowImeis())
                .setLowTotal(b.lowTotal());
        b.bands()
                .forEach((band, n) ->
                        out.addBands(BatteryBand.newBuilder().setBand(band).setCount(n)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void getDeviceState(GetDeviceStateRequest request, StreamObserver<GetDeviceStateResponse> response) {
        response.onNext(GetDeviceStateResponse.newBuilder()
                .setState(state(queries.state(request.getImei(), CallerContext.current())))
                .build());
        response.onCompleted();
    }

    @Override
    public void listDeviceReadings(
            ListDeviceReadingsRequest request, StreamObserver<ListDeviceReadingsResponse> response) {
        var out = ListDeviceReadingsResponse.newBuilder();
        queries.readings(
                        request.getImei(),
                        request.hasSince() ? Optional.of(instant(request.getSince(), "since")) : Optional.empty(),
                        request.getPageSize(),
                        CallerContext.current())
                .forEach(r -> out.addReadings(reading(r)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void findDevicesNear(FindDevicesNearRequest request, StreamObserver<FindDevicesNearResponse> response) {
        var out = FindDevicesNearResponse.newBuilder();
        queries.near(
                        request.getLatitude(),
                        request.getLongitude(),
                        request.getRadiusM(),
                        request.getMaxAgeMinutes(),
                        CallerContext.current())
                .forEach(s -> out.addStates(state(s)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void listSilentDevices(
            ListSilentDevicesRequest request, StreamObserver<ListSilentDevicesResponse> response) {
        FleetViews.Silence silence = fleetViews.silent(
                request.getHours(),
                request.getPageSize(),
                request.getUnitCode().isBlank() ? Optional.empty() : Optional.of(request.getUnitCode()));
        var out = ListSilentDevicesResponse.newBuilder().setTotal(silence.total());
        silence.devices().forEach(d -> {
            var b = out.addDevicesBuilder()
                    .setImei(d.imei())
                    .setUnitCode(d.unitCode())
                    .setModel(d.model())
                    .setNeverReported(d.lastReceivedAt().isEmpty())
                    .setEnrolTime(timestamp(d.enrolledAt()));
            d.lastReceivedAt().ifPresent(t -> b.setLastReceiveTime(timestamp(t)));
        });
        silence.byUnit()
                .forEach((unit, n) -> out.addByUnitBuilder().setUnitCode(unit).setCount(n));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void listPositionAccesses(
            ListPositionAccessesRequest request, StreamObserver<ListPositionAccessesResponse> response) {
        var filter = new PositionQueries.AccessFilter(
                text(request.getActor()),
                text(request.getImei()),
                text(request.getUnitCode()),
                request.hasFromTime() ? Optional.of(instant(request.getFromTime(), "from_time")) : Optional.empty(),
                request.hasToTime() ? Optional.of(instant(request.getToTime(), "to_time")) : Optional.empty());
        var page = queries.accesses(filter, request.getPageSize(), request.getPageToken(), CallerContext.current());
        var out = ListPositionAccessesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(a -> {
            var b = out.addAccessesBuilder()
                    .setId(Long.toString(a.id()))
                    .setActor(a.actor())
                    .setTime(timestamp(a.at()))
                    .setKind(TelemetryEnums.toProto(a.kind()))
                    .setResultCount(a.resultCount())
                    .addAllDeviceImeis(a.deviceImeis());
            a.latitude().ifPresent(b::setLatitude);
            a.longitude().ifPresent(b::setLongitude);
            a.radiusM().ifPresent(b::setRadiusM);
            a.imei().ifPresent(b::setImei);
            a.unitCode().ifPresent(b::setUnitCode);
        });
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void enrollDevice(EnrollDeviceRequest request, StreamObserver<EnrollDeviceResponse> response) {
        DeviceCredentials.Issued issued = enrolment.enrol(request.getImei(), CallerContext.current());
        response.onNext(EnrollDeviceResponse.newBuilder()
                .setCredential(issued.credential())
                .setCredentialId(issued.id())
                .build());
        response.onCompleted();
    }

    /** The device's own credential was checked by the auth interceptor: name the device. */
    @Override
    public void checkDeviceCredential(
            CheckDeviceCredentialRequest request, StreamObserver<CheckDeviceCredentialResponse> response) {
        response.onNext(CheckDeviceCredentialResponse.newBuilder()
                .setImei(CallerContext.current().username())
                .build());
        response.onCompleted();
    }

    @Override
    public void uploadReadings(UploadReadingsRequest request, StreamObserver<UploadReadingsResponse> response) {
        Upload u = ingestion.ingest(
                CallerContext.current().username(),
                readings(request.getReadingsList()),
                request.getAcknowledgedCommandIdsList(),
                results(request.getCommandResultsList()));
        var out = UploadReadingsResponse.newBuilder().setStored(u.stored()).setDuplicates(u.duplicates());
        u.rejected().forEach(r -> out.addRejected(rejected(r)));
        u.commands().forEach(c -> out.addCommands(command(c)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public StreamObserver<StreamReadingsRequest> streamReadings(StreamObserver<StreamReadingsResponse> response) {
        String imei = CallerContext.current().username();
        String credential = CallerContext.bearerToken();
        return new StreamObserver<>() {
            @Override
            public void onNext(StreamReadingsRequest batch) {
                try {
                    // the credential checked again for every batch: a revocation takes effect on the next one
                    Upload u = ingestion.ingestOnStream(
                            credential,
                            imei,
                            readings(batch.getReadingsList()),
                            batch.getAcknowledgedCommandIdsList(),
                            results(batch.getCommandResultsList()));
                    var out = StreamReadingsResponse.newBuilder()
                            .setStored(u.stored())
                            .setDuplicates(u.duplicates());
                    u.rejected().forEach(r -> out.addRejected(rejected(r)));
                    u.commands().forEach(c -> out.addCommands(command(c)));
                    response.onNext(out.build());
                } catch (RuntimeException e) {
                    // the same table as unary calls: a refused batch is INVALID_ARGUMENT naming the field,
                    // a database outage UNAVAILABLE (resend later), anything else INTERNAL without details
                    response.onError(GrpcErrorMapper.toStatusException(e));
                }
            }

            @Override
            public void onError(Throwable t) {
                // the device went away; what was acknowledged is stored
            }

            @Override
            public void onCompleted() {
                response.onCompleted();
            }
        };
    }

    @Override
    public void recordInventoryEvent(
            RecordInventoryEventRequest request, StreamObserver<RecordInventoryEventResponse> response) {
        var e = request.getEvent();
        UUID id;
        try {
            id = UUID.fromString(e.getEventId());
        } catch (IllegalArgumentException bad) {
            throw InvalidArgumentException.of("event.event_id", "must be a UUID");
        }
        InventoryEvent.Kind kind = switch (e.getKind()) {
            case INVENTORY_EVENT_KIND_DEVICE_LOST -> InventoryEvent.Kind.DEVICE_LOST;
            case INVENTORY_EVENT_KIND_DEVICE_STOLEN -> InventoryEvent.Kind.DEVICE_STOLEN;
            case INVENTORY_EVENT_KIND_DEVICE_EXCHANGED -> InventoryEvent.Kind.DEVICE_EXCHANGED;
            case INVENTORY_EVENT_KIND_DEVICE_RETURNED -> InventoryEvent.Kind.DEVICE_RETURNED;
            case INVENTORY_EVENT_KIND_UNSPECIFIED, UNRECOGNIZED ->
                throw InvalidArgumentException.of("event.kind", "is required");
        };
        boolean applied = inventoryEvents.apply(new InventoryEvent(
                id,
                kind,
                e.getImei(),
                Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos()),
                e.getReplacementImei().isEmpty() ? Optional.empty() : Optional.of(e.getReplacementImei()),
                e.getPackId().isEmpty() ? Optional.empty() : Optional.of(e.getPackId())));
        response.onNext(RecordInventoryEventResponse.newBuilder()
                .setAlreadyRecorded(!applied)
                .build());
        response.onCompleted();
    }
}
