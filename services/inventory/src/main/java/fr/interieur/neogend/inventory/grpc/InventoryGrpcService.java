package fr.interieur.neogend.inventory.grpc;

import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.inventory.agreement.PackTransfers;
import fr.interieur.neogend.inventory.device.BulkRegistration;
import fr.interieur.neogend.inventory.device.DeliveryCheck;
import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.DeviceCounts;
import fr.interieur.neogend.inventory.device.DeviceService;
import fr.interieur.neogend.inventory.device.EndOfTermReport;
import fr.interieur.neogend.inventory.device.HistoryEntry;
import fr.interieur.neogend.inventory.device.LifecycleService;
import fr.interieur.neogend.inventory.device.NewDevice;
import fr.interieur.neogend.inventory.lease.LeaseService;
import fr.interieur.neogend.inventory.unit.Unit;
import fr.interieur.neogend.inventory.unit.UnitService;
import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.AssignDeviceResponse;
import fr.interieur.neogend.inventory.v1.CheckDevicesRequest;
import fr.interieur.neogend.inventory.v1.CheckDevicesResponse;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksRequest;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksResponse;
import fr.interieur.neogend.inventory.v1.CountDevicesRequest;
import fr.interieur.neogend.inventory.v1.CountDevicesResponse;
import fr.interieur.neogend.inventory.v1.CreateUnitRequest;
import fr.interieur.neogend.inventory.v1.CreateUnitResponse;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossResponse;
import fr.interieur.neogend.inventory.v1.DeliveryProblem;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairResponse;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceRequest;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceResponse;
import fr.interieur.neogend.inventory.v1.FailDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.FailDeviceRepairResponse;
import fr.interieur.neogend.inventory.v1.FindRegisteredImeisRequest;
import fr.interieur.neogend.inventory.v1.FindRegisteredImeisResponse;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.GetEndOfTermReportRequest;
import fr.interieur.neogend.inventory.v1.GetEndOfTermReportResponse;
import fr.interieur.neogend.inventory.v1.GetPackRequest;
import fr.interieur.neogend.inventory.v1.GetPackResponse;
import fr.interieur.neogend.inventory.v1.GetUnitRequest;
import fr.interieur.neogend.inventory.v1.GetUnitResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDeviceHistoryRequest;
import fr.interieur.neogend.inventory.v1.ListDeviceHistoryResponse;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest;
import fr.interieur.neogend.inventory.v1.ListLeasedModelsResponse;
import fr.interieur.neogend.inventory.v1.ListUnitsRequest;
import fr.interieur.neogend.inventory.v1.ListUnitsResponse;
import fr.interieur.neogend.inventory.v1.MarkDeviceForReturnRequest;
import fr.interieur.neogend.inventory.v1.MarkDeviceForReturnResponse;
import fr.interieur.neogend.inventory.v1.MoveUnitRequest;
import fr.interieur.neogend.inventory.v1.MoveUnitResponse;
import fr.interieur.neogend.inventory.v1.PackTypeCount;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceResponse;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesResponse;
import fr.interieur.neogend.inventory.v1.ReturnDeviceFromRepairRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceFromRepairResponse;
import fr.interieur.neogend.inventory.v1.ReturnDeviceRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceResponse;
import fr.interieur.neogend.inventory.v1.SendDeviceToRepairRequest;
import fr.interieur.neogend.inventory.v1.SendDeviceToRepairResponse;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairResponse;
import fr.interieur.neogend.inventory.v1.StateCount;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsResponse;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsResponse;
import fr.interieur.neogend.inventory.v1.SumLeaseDaysRequest;
import fr.interieur.neogend.inventory.v1.SumLeaseDaysResponse;
import fr.interieur.neogend.inventory.v1.TransferPacksRequest;
import fr.interieur.neogend.inventory.v1.TransferPacksResponse;
import fr.interieur.neogend.inventory.v1.UnassignDeviceRequest;
import fr.interieur.neogend.inventory.v1.UnassignDeviceResponse;
import fr.interieur.neogend.inventory.v1.UnitCount;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.paging.Page;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static fr.interieur.neogend.inventory.grpc.InventoryMessages.struct;
import static fr.interieur.neogend.inventory.grpc.InventoryMessages.toNewDevice;
import static fr.interieur.neogend.inventory.grpc.InventoryMessages.toProto;
import static fr.interieur.neogend.inventory.grpc.InventoryMessages.typeCount;
import static fr.interieur.neogend.inventory.grpc.InventoryMessages.version;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.reply;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;

/** The inventory gRPC API: maps proto messages to the domain and back, nothing more. */
@Service
public class InventoryGrpcService extends InventoryServiceGrpc.InventoryServiceImplBase {

    private final DeviceService devices;
    private final LifecycleService lifecycle;
    private final UnitService units;
    private final LeaseService leases;
    private final PackTransfers transfers;

    public InventoryGrpcService(
            DeviceService devices,
            LifecycleService lifecycle,
            UnitService units,
            LeaseService leases,
            PackTransfers transfers) {
        this.devices = devices;
        this.lifecycle = lifecycle;
        this.units = units;
        this.leases = leases;
        this.transfers = transfers;
    }

    // ---- agreements

    @Override
    public void transferPacks(TransferPacksRequest request, StreamObserver<TransferPacksResponse> response) {
        LocalDate date = request.hasEffectiveDate()
                ? LocalDate.of(
                        request.getEffectiveDate().getYear(),
                        request.getEffectiveDate().getMonth(),
                        request.getEffectiveDate().getDay())
                : null;
        PackTransfers.Transfer t = transfers.transfer(
                request.getFromAgreementId(),
                request.getToAgreementId(),
                date,
                InventoryEnums.packType(request.getPackType(), "pack_type"),
                text(request.getUnitCode()),
                CallerContext.current());
        var out = TransferPacksResponse.newBuilder().setTransferred(t.moved().size());
        t.byType().forEach((type, n) -> out.addByType(typeCount(type, n)));
        reply(response, out.build());
    }

    @Override
    public void countAgreementPacks(
            CountAgreementPacksRequest request, StreamObserver<CountAgreementPacksResponse> response) {
        var counts = transfers.counts(request.getAgreementId(), CallerContext.current());
        var out = CountAgreementPacksResponse.newBuilder();
        counts.running().forEach((type, n) -> out.addRunning(typeCount(type, n)));
        counts.transferredIn().forEach((type, n) -> out.addTransferredIn(typeCount(type, n)));
        reply(response, out.build());
    }

    // ---- billing and end of term

    @Override
    public void streamLeaseIntervals(
            StreamLeaseIntervalsRequest request, StreamObserver<StreamLeaseIntervalsResponse> response) {
        ServerCallStreamObserver<StreamLeaseIntervalsResponse> call =
                (ServerCallStreamObserver<StreamLeaseIntervalsResponse>) response;
        try {
            leases.stream(
                    request.getYear(),
                    request.getMonth(),
                    request.getAgreementId(),
                    CallerContext.current(),
                    batch -> {
                        var out = StreamLeaseIntervalsResponse.newBuilder();
                        batch.forEach(i -> {
                            var b = out.addIntervalsBuilder()
                                    .setPackId(i.packId())
                                    .setPackType(InventoryEnums.toProto(i.type()))
                                    .setBilledFrom(date(i.from()))
                                    .setBilledUntil(date(i.until()))
                                    .setBilledDays(i.billedDays())
                                    .setDaysInMonth(i.daysInMonth())
                                    .setAgreementId(i.agreementId())
                                    .addAllDeviceImeis(i.deviceImeis());
                            i.unitCode().ifPresent(b::setUnitCode);
                        });
                        call.onNext(out.build());
                    },
                    call::isCancelled);
        } catch (LeaseService.StreamCancelledException gone) {
            return; // nobody is listening any more
        }
        call.onCompleted();
    }

    @Override
    public void streamDevicePlacements(
            StreamDevicePlacementsRequest request, StreamObserver<StreamDevicePlacementsResponse> response) {
        ServerCallStreamObserver<StreamDevicePlacementsResponse> call =
                (ServerCallStreamObserver<StreamDevicePlacementsResponse>) response;
        try {
            devices.placements(
                    text(request.getUnitCode()),
                    request.getIncludeReturned(),
                    CallerContext.current(),
                    5_000,
                    batch -> {
                        if (call.isCancelled()) {
                            throw new LeaseService.StreamCancelledException();
                        }
                        var out = StreamDevicePlacementsResponse.newBuilder();
                        batch.forEach(p -> {
                            var b = out.addPlacementsBuilder()
                                    .setImei(p.imei())
                                    .setModel(p.model())
                                    .setState(InventoryEnums.toProto(p.state()));
                            p.unitCode().ifPresent(b::setUnitCode);
                        });
                        call.onNext(out.build());
                    });
        } catch (LeaseService.StreamCancelledException gone) {
            return; // nobody is listening any more
        }
        call.onCompleted();
    }

    @Override
    public void listLeasedModels(ListLeasedModelsRequest request, StreamObserver<ListLeasedModelsResponse> response) {
        reply(
                response,
                ListLeasedModelsResponse.newBuilder()
                        .addAllModels(leases.leasedModels(
                                request.getAgreementId(), request.getModelsList(), CallerContext.current()))
                        .build());
    }

    @Override
    public void sumLeaseDays(SumLeaseDaysRequest request, StreamObserver<SumLeaseDaysResponse> response) {
        var sums = leases.sum(request.getYear(), request.getMonth(), request.getAgreementId(), CallerContext.current());
        var out = SumLeaseDaysResponse.newBuilder()
                .setDaysInMonth(java.time.YearMonth.of(request.getYear(), request.getMonth())
                        .lengthOfMonth());
        sums.forEach(t -> out.addByPackTypeBuilder()
                .setPackType(InventoryEnums.toProto(t.type()))
                .setPacks(t.packs())
                .setBilledDays(t.billedDays()));
        reply(response, out.build());
    }

    @Override
    public void getEndOfTermReport(
            GetEndOfTermReportRequest request, StreamObserver<GetEndOfTermReportResponse> response) {
        EndOfTermReport report =
                devices.endOfTerm(text(request.getUnitCode()), text(request.getAgreementId()), CallerContext.current());
        var out = GetEndOfTermReportResponse.newBuilder().setNotReturnedTotal(report.notReturnedTotal());
        report.units().forEach(u -> {
            var line = out.addUnitsBuilder()
                    .setUnitCode(u.unitCode())
                    .setUnitName(u.unitName())
                    .setNotReturned(u.notReturned());
            u.byState()
                    .forEach((state, n) -> line.addByState(StateCount.newBuilder()
                            .setState(InventoryEnums.toProto(state))
                            .setCount(n)));
        });
        reply(response, out.build());
    }

    // ---- units

    @Override
    public void createUnit(CreateUnitRequest request, StreamObserver<CreateUnitResponse> response) {
        var u = request.getUnit();
        Unit stored = units.create(
                u.getCode(),
                u.getName(),
                InventoryEnums.level(u.getLevel()),
                text(u.getParentCode()),
                CallerContext.current());
        reply(response, CreateUnitResponse.newBuilder().setUnit(toProto(stored)).build());
    }

    @Override
    public void getUnit(GetUnitRequest request, StreamObserver<GetUnitResponse> response) {
        reply(
                response,
                GetUnitResponse.newBuilder()
                        .setUnit(toProto(units.get(request.getCode(), CallerContext.current())))
                        .build());
    }

    @Override
    public void listUnits(ListUnitsRequest request, StreamObserver<ListUnitsResponse> response) {
        Page<Unit> page = units.list(
                text(request.getParentCode()), request.getPageSize(), request.getPageToken(), CallerContext.current());
        ListUnitsResponse.Builder out = ListUnitsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(u -> out.addUnits(toProto(u)));
        reply(response, out.build());
    }

    @Override
    public void moveUnit(MoveUnitRequest request, StreamObserver<MoveUnitResponse> response) {
        Unit moved = units.move(
                request.getCode(),
                request.getNewParentCode(),
                request.hasExpectedVersion() ? OptionalLong.of(request.getExpectedVersion()) : OptionalLong.empty(),
                CallerContext.current());
        reply(response, MoveUnitResponse.newBuilder().setUnit(toProto(moved)).build());
    }

    // ---- life cycle

    @Override
    public void assignDevice(AssignDeviceRequest request, StreamObserver<AssignDeviceResponse> response) {
        var change = lifecycle.assign(
                request.getImei(),
                request.getUnitCode(),
                text(request.getHolderAgentId()),
                request.getAccessoriesList(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = AssignDeviceResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void unassignDevice(UnassignDeviceRequest request, StreamObserver<UnassignDeviceResponse> response) {
        var change = lifecycle.unassign(
                request.getImei(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = UnassignDeviceResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void sendDeviceToRepair(
            SendDeviceToRepairRequest request, StreamObserver<SendDeviceToRepairResponse> response) {
        var change = lifecycle.sendToRepair(
                request.getImei(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = SendDeviceToRepairResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void returnDeviceFromRepair(
            ReturnDeviceFromRepairRequest request, StreamObserver<ReturnDeviceFromRepairResponse> response) {
        var change = lifecycle.returnFromRepair(
                request.getImei(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = ReturnDeviceFromRepairResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void startDeviceRepair(
            StartDeviceRepairRequest request, StreamObserver<StartDeviceRepairResponse> response) {
        var change = lifecycle.startRepair(
                request.getImei(), request.getRepairId(), text(request.getReplacesRepairId()), CallerContext.current());
        reply(
                response,
                StartDeviceRepairResponse.newBuilder()
                        .setDevice(toProto(change.device()))
                        .build());
    }

    @Override
    public void endDeviceRepair(EndDeviceRepairRequest request, StreamObserver<EndDeviceRepairResponse> response) {
        boolean repaired = switch (request.getOutcome()) {
            case DEVICE_REPAIR_OUTCOME_REPAIRED -> true;
            case DEVICE_REPAIR_OUTCOME_FAILED -> false;
            default ->
                throw InvalidArgumentException.of(
                        "outcome", "must be DEVICE_REPAIR_OUTCOME_REPAIRED or DEVICE_REPAIR_OUTCOME_FAILED");
        };
        var change = lifecycle.endRepair(
                request.getImei(), request.getRepairId(), repaired, request.getReason(), CallerContext.current());
        reply(
                response,
                EndDeviceRepairResponse.newBuilder()
                        .setDevice(toProto(change.device()))
                        .build());
    }

    @Override
    public void failDeviceRepair(FailDeviceRepairRequest request, StreamObserver<FailDeviceRepairResponse> response) {
        var change = lifecycle.failRepair(
                request.getImei(),
                request.getReason(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = FailDeviceRepairResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void declareDeviceLoss(
            DeclareDeviceLossRequest request, StreamObserver<DeclareDeviceLossResponse> response) {
        boolean stolen = switch (request.getKind()) {
            case LOSS_KIND_LOST -> false;
            case LOSS_KIND_STOLEN -> true;
            case LOSS_KIND_UNSPECIFIED, UNRECOGNIZED ->
                throw InvalidArgumentException.of("kind", "is required: LOSS_KIND_LOST or LOSS_KIND_STOLEN");
        };
        var change = lifecycle.declareLoss(
                request.getImei(),
                stolen,
                request.getPoliceReportReference(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = DeclareDeviceLossResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void exchangeDevice(ExchangeDeviceRequest request, StreamObserver<ExchangeDeviceResponse> response) {
        var exchange = lifecycle.exchange(
                request.getImei(),
                request.getReplacementImei(),
                request.getReason(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        reply(
                response,
                ExchangeDeviceResponse.newBuilder()
                        .setDevice(toProto(exchange.device()))
                        .setReplacement(toProto(exchange.replacement()))
                        .setPack(toProto(exchange.pack()))
                        .build());
    }

    @Override
    public void markDeviceForReturn(
            MarkDeviceForReturnRequest request, StreamObserver<MarkDeviceForReturnResponse> response) {
        var change = lifecycle.markForReturn(
                request.getImei(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = MarkDeviceForReturnResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void returnDevice(ReturnDeviceRequest request, StreamObserver<ReturnDeviceResponse> response) {
        var change = lifecycle.confirmReturn(
                request.getImei(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        var out = ReturnDeviceResponse.newBuilder().setDevice(toProto(change.device()));
        change.pack().map(InventoryMessages::toProto).ifPresent(out::setPack);
        reply(response, out.build());
    }

    @Override
    public void listDeviceHistory(
            ListDeviceHistoryRequest request, StreamObserver<ListDeviceHistoryResponse> response) {
        Page<HistoryEntry> page = devices.history(
                request.getImei(), request.getPageSize(), request.getPageToken(), CallerContext.current());
        var out = ListDeviceHistoryResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items()
                .forEach(e -> out.addEntries(fr.interieur.neogend.inventory.v1.HistoryEntry.newBuilder()
                        .setId(e.id())
                        .setAction(e.action())
                        .setActor(e.actor())
                        .setTime(timestamp(e.at()))
                        .setBefore(struct(e.before()))
                        .setAfter(struct(e.after()))
                        .setSubjectType(InventoryEnums.subjectType(e.subjectType()))
                        .setSubjectId(e.subjectId())));
        reply(response, out.build());
    }

    @Override
    public void getPack(GetPackRequest request, StreamObserver<GetPackResponse> response) {
        reply(
                response,
                GetPackResponse.newBuilder()
                        .setPack(toProto(devices.pack(request.getId(), CallerContext.current())))
                        .build());
    }

    // ---- devices

    @Override
    public void registerDevice(RegisterDeviceRequest request, StreamObserver<RegisterDeviceResponse> response) {
        if (!request.hasDevice()) {
            throw InvalidArgumentException.of("device", "is required");
        }
        Device stored = devices.register(toNewDevice(request.getDevice(), "device."), CallerContext.current());
        response.onNext(
                RegisterDeviceResponse.newBuilder().setDevice(toProto(stored)).build());
        response.onCompleted();
    }

    @Override
    public void registerDevices(RegisterDevicesRequest request, StreamObserver<RegisterDevicesResponse> response) {
        List<DeviceService.BulkRow> rows = bulkRows(request.getDevicesList());
        BulkRegistration result = this.devices.registerAll(rows, CallerContext.current());
        response.onNext(RegisterDevicesResponse.newBuilder()
                .setRegisteredCount(result.registered())
                .setAlreadyRegisteredCount(result.alreadyRegistered())
                .build());
        response.onCompleted();
    }

    @Override
    public void checkDevices(CheckDevicesRequest request, StreamObserver<CheckDevicesResponse> response) {
        DeliveryCheck check = this.devices.checkAll(bulkRows(request.getDevicesList()), CallerContext.current());
        CheckDevicesResponse.Builder answer = CheckDevicesResponse.newBuilder()
                .setProblemCount(check.problemCount())
                .setBadRowCount(check.badRowCount())
                .setNewCount(check.newCount())
                .setAlreadyRegisteredCount(check.alreadyRegisteredCount());
        for (InvalidArgumentException.Violation v : check.problems()) {
            answer.addProblems(DeliveryProblem.newBuilder().setField(v.field()).setDescription(v.description()));
        }
        response.onNext(answer.build());
        response.onCompleted();
    }

    /** A delivery's rows as the service judges them, each with the refusals of its proto's field rules. */
    private static List<DeviceService.BulkRow> bulkRows(List<fr.interieur.neogend.inventory.v1.Device> devices) {
        // the rows' fields are judged here with the rules of their proto (items_judged_by_service), with
        // everything else the service checks, so that one answer names every bad row
        List<DeviceService.BulkRow> rows = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            fr.interieur.neogend.inventory.v1.Device d = devices.get(i);
            List<InvalidArgumentException.Violation> refused = RequestRules.check(d, "devices[" + i + "].").stream()
                    .map(v -> new InvalidArgumentException.Violation(v.field(), v.description()))
                    .toList();
            // an unknown enum number is among the refusals; the row is read without it
            rows.add(new DeviceService.BulkRow(
                    new NewDevice(
                            d.getImei(),
                            d.getSerialNumber(),
                            d.getModel(),
                            d.getKind() == fr.interieur.neogend.inventory.v1.DeviceKind.UNRECOGNIZED
                                    ? Optional.empty()
                                    : InventoryEnums.kind(d.getKind(), ""),
                            d.getPackType() == fr.interieur.neogend.inventory.v1.PackType.UNRECOGNIZED
                                    ? Optional.empty()
                                    : InventoryEnums.packType(d.getPackType(), ""),
                            text(d.getUnitCode()),
                            text(d.getRomBuild()),
                            text(d.getAgreementId())),
                    refused));
        }
        return rows;
    }

    @Override
    public void findRegisteredImeis(
            FindRegisteredImeisRequest request, StreamObserver<FindRegisteredImeisResponse> response) {
        response.onNext(FindRegisteredImeisResponse.newBuilder()
                .addAllRegisteredImeis(devices.registeredAmong(request.getImeisList()))
                .build());
        response.onCompleted();
    }

    @Override
    public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> response) {
        Device device = devices.get(request.getImei(), CallerContext.current());
        response.onNext(
                GetDeviceResponse.newBuilder().setDevice(toProto(device)).build());
        response.onCompleted();
    }

    @Override
    public void countDevices(CountDevicesRequest request, StreamObserver<CountDevicesResponse> response) {
        DeviceCounts counts =
                devices.count(text(request.getUnitCode()), text(request.getAgreementId()), CallerContext.current());
        CountDevicesResponse.Builder out = CountDevicesResponse.newBuilder().setTotal(counts.total());
        counts.byState()
                .forEach((state, n) -> out.addByState(StateCount.newBuilder()
                        .setState(InventoryEnums.toProto(state))
                        .setCount(n)));
        counts.byUnit()
                .forEach((unit, n) ->
                        out.addByUnit(UnitCount.newBuilder().setUnitCode(unit).setCount(n)));
        counts.byPackType()
                .forEach((type, n) -> out.addByPackType(PackTypeCount.newBuilder()
                        .setCount(n)
                        .setPackType(
                                type.isEmpty()
                                        ? fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_UNSPECIFIED
                                        : InventoryEnums.toProto(
                                                fr.interieur.neogend.inventory.device.PackType.valueOf(type)))));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> response) {
        Page<Device> page = devices.list(
                new DeviceService.Search(
                        InventoryEnums.state(request.getState()),
                        InventoryEnums.packType(request.getPackType(), "pack_type"),
                        text(request.getUnitCode()),
                        text(request.getModel()),
                        text(request.getHolderAgentId()),
                        text(request.getRomBuild()),
                        request.getNotReturned(),
                        text(request.getOrderBy()),
                        text(request.getAgreementId())),
                request.getPageSize(),
                request.getPageToken(),
                CallerContext.current());
        ListDevicesResponse.Builder out = ListDevicesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(d -> out.addDevices(toProto(d)));
        response.onNext(out.build());
        response.onCompleted();
    }
}
