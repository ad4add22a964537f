package fr.interieur.neogend.telemetry.grpc;

import com.google.type.TimeOfDay;
import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.telemetry.campaign.Campaign;
import fr.interieur.neogend.telemetry.ingestion.IngestionService;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.rom.RomService;
import fr.interieur.neogend.telemetry.v1.CampaignProgress;
import fr.interieur.neogend.telemetry.v1.CommandResult;
import fr.interieur.neogend.telemetry.v1.DeviceCommand;
import fr.interieur.neogend.telemetry.v1.MaintenanceWindow;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.PatchTimeline;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.RejectedReading;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.RomUpdate;
import fr.interieur.neogend.telemetry.v1.UpdateCampaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;

/**
 * The contract's messages made from the domain's values, and requests read into them, for
 * {@link TelemetryGrpcService}: the mapping kept out of the handlers (issue 19), so that a handler reads as
 * what it does.
 */
public final class TelemetryMessages {

    private TelemetryMessages() {}

    static RomRelease release(RomService.Release r) {
        return RomRelease.newBuilder()
                .setId(r.id())
                .setSupplierId(r.supplierId())
                .setModel(r.model())
                .setBuildFingerprint(r.buildFingerprint())
                .setSecurityPatchLevel(r.patchLevel().toString())
                .setKernelSourceSha256(r.kernelSourceSha256())
                .setKernelConfig(r.kernelConfig())
                .setBulletinDate(date(r.bulletinDate()))
                .setPublishTime(timestamp(r.publishedAt()))
                .setApproved(r.approved())
                .setOtaUrl(r.otaUrl().orElse(""))
                .setOtaSha256(r.otaSha256().orElse(""))
                .build();
    }

    static PatchTimeline timeline(RomService.PatchTimeline t) {
        var out = PatchTimeline.newBuilder()
                .setReleaseId(t.releaseId())
                .setSupplierId(t.supplierId())
                .setModel(t.model())
                .setBuildFingerprint(t.buildFingerprint())
                .setSecurityPatchLevel(date(t.patchLevel()))
                .setBulletinDate(date(t.bulletinDate()))
                .setPublishTime(timestamp(t.publishedAt()))
                .setTargeted(t.targeted())
                .setConfirmed(t.confirmed());
        t.firstApprovedAt().ifPresent(at -> out.setFirstApproveTime(timestamp(at)));
        t.fleetConfirmedAt().ifPresent(at -> out.setFleetConfirmTime(timestamp(at)));
        return out.build();
    }

    static fr.interieur.neogend.telemetry.v1.DeviceState state(PositionQueries.State s) {
        var out = fr.interieur.neogend.telemetry.v1.DeviceState.newBuilder()
                .setImei(s.imei())
                .setReading(reading(s))
                .setReceiveTime(timestamp(s.receivedAt()));
        s.positionRecordedAt().ifPresent(t -> out.setPositionTime(timestamp(t)));
        s.softwareRecordedAt().ifPresent(t -> out.setSoftwareTime(timestamp(t)));
        return out.build();
    }

    static Reading reading(PositionQueries.State s) {
        var r = Reading.newBuilder()
                .setSequence(s.sequence())
                .setRecordedAt(timestamp(s.recordedAt()))
                .setBatteryPercent(s.batteryPercent())
                .setCharging(s.charging())
                .setNetwork(
                        s.network().equals("UNKNOWN")
                                ? NetworkType.NETWORK_TYPE_UNSPECIFIED
                                : NetworkType.valueOf("NETWORK_TYPE_" + s.network()))
                .setFreeStorageMb(s.freeStorageMb());
        s.latitude().ifPresent(r::setLatitude);
        s.longitude().ifPresent(r::setLongitude);
        s.accuracyM().ifPresent(r::setAccuracyM);
        s.patchLevel().ifPresent(r::setSecurityPatchLevel);
        s.romBuild().ifPresent(r::setRomBuild);
        s.kernelVersion().ifPresent(r::setKernelVersion);
        s.agentVersion().ifPresent(r::setAgentVersion);
        return r.build();
    }

    /**
     * A reading judged good back as the contract's message, for the readings' log (ADR 0025): {@link
     * #readings} of it gives the same reading again.
     */
    public static Reading reading(ReadingIn r) {
        var out = Reading.newBuilder()
                .setSequence(r.sequence())
                .setRecordedAt(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(r.recordedAt().getEpochSecond())
                        .setNanos(r.recordedAt().getNano()))
                .setBatteryPercent(r.batteryPercent())
                .setCharging(r.charging())
                .setNetwork(network(r.network()))
                .setSecurityPatchLevel(r.patchLevel())
                .setRomBuild(r.romBuild())
                .setKernelVersion(r.kernelVersion())
                .setFreeStorageMb(r.freeStorageMb())
                .setAgentVersion(r.agentVersion());
        r.latitude().ifPresent(out::setLatitude);
        r.longitude().ifPresent(out::setLongitude);
        r.accuracyM().ifPresent(out::setAccuracyM);
        return out.build();
    }

    private static fr.interieur.neogend.telemetry.v1.NetworkType network(String name) {
        for (var t : fr.interieur.neogend.telemetry.v1.NetworkType.values()) {
            if (t != fr.interieur.neogend.telemetry.v1.NetworkType.UNRECOGNIZED
                    && t.name().equals("NETWORK_TYPE_" + name)) {
                return t;
            }
        }
        return fr.interieur.neogend.telemetry.v1.NetworkType.NETWORK_TYPE_UNSPECIFIED;
    }

    /** The readings as the device sent them, for {@link IngestionService} to judge one by one. */
    public static List<ReadingIn> readings(List<Reading> in) {
        List<ReadingIn> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            Reading r = in.get(i);
            var violations = RequestRules.check(r, "");
            String refusal = violations.isEmpty()
                    ? null
                    : String.join(
                            "; ",
                            violations.stream()
                                    .limit(5)
                                    .map(v -> v.field() + ": " + v.description())
                                    .toList());
            out.add(new ReadingIn(
                    r.getSequence(),
                    r.hasRecordedAt() ? recordedAt(r.getRecordedAt()) : null,
                    r.getBatteryPercent(),
                    r.getCharging(),
                    r.hasLatitude() ? Optional.of(r.getLatitude()) : Optional.empty(),
                    r.hasLongitude() ? Optional.of(r.getLongitude()) : Optional.empty(),
                    r.hasAccuracyM() ? Optional.of(r.getAccuracyM()) : Optional.empty(),
                    switch (r.getNetwork()) {
                        case NETWORK_TYPE_UNSPECIFIED, UNRECOGNIZED -> "UNKNOWN";
                        default -> r.getNetwork().name().substring("NETWORK_TYPE_".length());
                    },
                    r.getSecurityPatchLevel(),
                    r.getRomBuild(),
                    r.getKernelVersion(),
                    r.getFreeStorageMb(),
                    r.getAgentVersion(),
                    refusal));
        }
        return out;
    }

    /**
     * A device's clock may say anything: a time beyond what {@link Instant} holds is taken as the
     * farthest future or past, which the ingestion refuses for that reading alone (rather than the
     * whole batch failing with an internal error).
     */
    static Instant recordedAt(com.google.protobuf.Timestamp t) {
        try {
            return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        } catch (java.time.DateTimeException | ArithmeticException beyondRange) {
            return t.getSeconds() < 0 ? Instant.MIN : Instant.MAX;
        }
    }

    static RejectedReading rejected(Upload.Rejected r) {
        return RejectedReading.newBuilder()
                .setIndex(r.index())
                .setSequence(r.sequence())
                .setReason(r.reason())
                .build();
    }

    static DeviceCommand command(Upload.Command c) {
        var out = DeviceCommand.newBuilder()
                .setId(Long.toString(c.id()))
                .setCommand(TelemetryEnums.toProto(c.command()))
                .setStatus(TelemetryEnums.toProto(c.status()))
                .setQueueTime(timestamp(c.queuedAt()))
                .setOutcomeReason(c.outcomeReason())
                .setPostponements(c.postponements());
        c.update()
                .ifPresent(u -> out.setUpdate(RomUpdate.newBuilder()
                        .setReleaseId(u.releaseId())
                        .setBuildFingerprint(u.buildFingerprint())
                        .setSecurityPatchLevel(u.patchLevel().toString())
                        .setOtaUrl(u.otaUrl())
                        .setOtaSha256(u.otaSha256())));
        c.confirmedAt().ifPresent(t -> out.setConfirmTime(timestamp(t)));
        return out.build();
    }

    static UpdateCampaign campaign(Campaign c) {
        var out = UpdateCampaign.newBuilder()
                .setId(c.id())
                .setReleaseId(c.releaseId())
                .setModel(c.model())
                .setUnitCode(c.unitCode().orElse(""))
                .addAllWavePercents(c.wavePercents())
                .setHaltFailurePercent(c.haltFailurePercent())
                .setState(TelemetryEnums.toProto(c.state()))
                .setCurrentWave(c.currentWave())
                .setHaltReason(c.haltReason())
                .setTargeted(c.targeted())
                .setLeftOut(c.leftOut())
                .setCreatedBy(c.createdBy())
                .setCreateTime(timestamp(c.createdAt()));
        c.windows()
                .forEach(w -> out.addMaintenanceWindows(MaintenanceWindow.newBuilder()
                        .setUnitCode(w.unitCode())
                        .setStart(TimeOfDay.newBuilder()
                                .setHours(w.start().getHour())
                                .setMinutes(w.start().getMinute()))
                        .setEnd(TimeOfDay.newBuilder()
                                .setHours(w.end().getHour())
                                .setMinutes(w.end().getMinute()))));
        c.unitWaves()
                .forEach(units -> out.addUnitWaves(
                        fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder().addAllUnitCodes(units)));
        return out.build();
    }

    /** A window as asked: a time of day out of range is refused naming the field (null: unset). */
    static List<Campaign.Window> windows(List<MaintenanceWindow> windows) {
        List<Campaign.Window> out = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            MaintenanceWindow w = windows.get(i);
            String at = "campaign.maintenance_windows[" + i + "].";
            out.add(new Campaign.Window(
                    w.getUnitCode(),
                    w.hasStart() ? time(w.getStart(), at + "start") : null,
                    w.hasEnd() ? time(w.getEnd(), at + "end") : null));
        }
        return out;
    }

    private static java.time.LocalTime time(TimeOfDay t, String field) {
        if (t.getHours() < 0
                || t.getHours() > 23
                || t.getMinutes() < 0
                || t.getMinutes() > 59
                || t.getSeconds() != 0
                || t.getNanos() != 0) {
            throw fr.interieur.neogend.kit.error.InvalidArgumentException.of(
                    field, "must be hours 0-23 and minutes 0-59 (no seconds)");
        }
        return java.time.LocalTime.of(t.getHours(), t.getMinutes());
    }

    static CampaignProgress progress(Campaign.Progress p) {
        return CampaignProgress.newBuilder()
                .setWave(p.wave())
                .setUnitCode(p.unitCode())
                .setTargeted(p.targeted())
                .setSent(p.sent())
                .setDelivered(p.delivered())
                .setInstalled(p.installed())
                .setConfirmed(p.confirmed())
                .setFailed(p.failed())
                .setSilent(p.silent())
                .setWithdrawn(p.withdrawn())
                .setSkipped(p.skipped())
                .build();
    }

    /** A device's words on its commands, as sent: the ingestion checks them. */
    static List<Upload.Result> results(List<CommandResult> results) {
        return results.stream()
                .map(r -> new Upload.Result(r.getCommandId(), TelemetryEnums.outcome(r.getOutcome()), r.getReason()))
                .toList();
    }
}
