package fr.interieur.neogend.inventory.telemetryclient;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.DeviceEvents;
import fr.interieur.neogend.inventory.outbox.OutboxStore;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.UUID;

/**
 * Writes device events for the telemetry service into the outbox, inside the caller's transaction:
 * an event exists if and only if its change committed. {@link OutboxRelay} delivers them, each
 * device's (its IMEI, {@code subject_id}) in the order of their ids. Every caller writes the event after
 * updating the device's row, which stays locked until commit: two changes of one device never commit
 * in another order than their events' ids.
 */
@Component
class OutboxDeviceEvents implements DeviceEvents {

    static final String TELEMETRY = "telemetry";

    private final OutboxStore store;

    OutboxDeviceEvents(OutboxStore store) {
        this.store = store;
    }

    @Override
    public void deviceLost(Device device, boolean stolen, Instant at) {
        write(
                event(
                                stolen
                                        ? InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN
                                        : InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST,
                                device.imei(),
                                at)
                        .build(),
                at);
    }

    @Override
    public void deviceExchanged(Device old, Device replacement, String packId, Instant at) {
        write(
                event(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED, old.imei(), at)
                        .setReplacementImei(replacement.imei())
                        .setPackId(packId)
                        .build(),
                at);
    }

    @Override
    public void deviceReturned(Device device, Instant at) {
        write(
                event(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, device.imei(), at)
                        .build(),
                at);
    }

    private static InventoryEvent.Builder event(InventoryEventKind kind, String imei, Instant at) {
        return InventoryEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setKind(kind)
                .setImei(imei)
                .setTime(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
    }

    /** Queues one event (package-private for the relay's tests). */
    void write(InventoryEvent event, Instant at) {
        store.write(
                UUID.fromString(event.getEventId()),
                TELEMETRY,
                event.getKind().name(),
                event.getImei(),
                event.toByteArray(),
                at);
    }
}
