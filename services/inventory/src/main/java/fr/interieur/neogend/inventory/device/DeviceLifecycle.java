package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.error.PreconditionFailedException;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static fr.interieur.neogend.inventory.device.DeviceState.ASSIGNED;
import static fr.interieur.neogend.inventory.device.DeviceState.IN_REPAIR;
import static fr.interieur.neogend.inventory.device.DeviceState.IN_STOCK;
import static fr.interieur.neogend.inventory.device.DeviceState.LOST;
import static fr.interieur.neogend.inventory.device.DeviceState.PENDING_RETURN;
import static fr.interieur.neogend.inventory.device.DeviceState.RETURNED;
import static fr.interieur.neogend.inventory.device.DeviceState.STOLEN;

/**
 * The device state machine (DOMAIN rule 8): IN_STOCK → ASSIGNED → (IN_REPAIR | LOST | STOLEN |
 * PENDING_RETURN) → RETURNED. A device that is LOST, STOLEN or RETURNED is never assigned again. A
 * failed repair sends the device PENDING_RETURN while it waits in its pack for the supplier's
 * replacement (then exchanged out, keeping PENDING_RETURN). A device under a repair of the
 * accessories service is held further by {@link LifecycleService}: it leaves IN_REPAIR only by that
 * repair's close, or lost or stolen (which the close then releases).
 * Pure: no storage, so every legal and illegal transition is tested directly.
 */
public final class DeviceLifecycle {

    private static final Map<DeviceAction, Set<DeviceState>> ALLOWED_FROM = new EnumMap<>(DeviceAction.class);

    static {
        ALLOWED_FROM.put(DeviceAction.ASSIGN, EnumSet.of(IN_STOCK));
        ALLOWED_FROM.put(DeviceAction.UNASSIGN, EnumSet.of(ASSIGNED));
        ALLOWED_FROM.put(DeviceAction.SEND_TO_REPAIR, EnumSet.of(IN_STOCK, ASSIGNED));
        ALLOWED_FROM.put(DeviceAction.RETURN_FROM_REPAIR, EnumSet.of(IN_REPAIR));
        ALLOWED_FROM.put(DeviceAction.FAIL_REPAIR, EnumSet.of(IN_REPAIR));
        ALLOWED_FROM.put(DeviceAction.DECLARE_LOST, EnumSet.of(IN_STOCK, ASSIGNED, IN_REPAIR, PENDING_RETURN));
        // a lost device may turn out stolen: telemetry then queues its WIPE
        ALLOWED_FROM.put(DeviceAction.DECLARE_STOLEN, EnumSet.of(IN_STOCK, ASSIGNED, IN_REPAIR, PENDING_RETURN, LOST));
        ALLOWED_FROM.put(
                DeviceAction.EXCHANGE_OUT, EnumSet.of(IN_STOCK, ASSIGNED, IN_REPAIR, PENDING_RETURN, LOST, STOLEN));
        ALLOWED_FROM.put(DeviceAction.EXCHANGE_IN, EnumSet.of(IN_STOCK));
        ALLOWED_FROM.put(DeviceAction.MARK_FOR_RETURN, EnumSet.of(IN_STOCK, ASSIGNED, IN_REPAIR));
        ALLOWED_FROM.put(DeviceAction.RETURN, EnumSet.of(PENDING_RETURN, LOST, STOLEN));
    }

    private DeviceLifecycle() {}

    /** The states an action may start from. */
    public static Set<DeviceState> allowedFrom(DeviceAction action) {
        return Set.copyOf(ALLOWED_FROM.get(action));
    }

    /**
     * The state after {@code action}.
     *
     * @param packHeld whether the device's pack is handed to a holder (decides where a repaired or
     *                 exchanged-in device goes)
     * @throws PreconditionFailedException naming the current state when the transition is illegal
     */
    public static DeviceState next(String imei, DeviceState current, DeviceAction action, boolean packHeld) {
        Set<DeviceState> from = ALLOWED_FROM.get(action);
        if (!from.contains(current)) {
            throw new PreconditionFailedException("device " + imei + " is " + current + "; cannot " + action.verb()
                    + " (allowed from " + from.stream().map(Enum::name).sorted().collect(Collectors.joining(", "))
                    + ")");
        }
        return switch (action) {
            case ASSIGN -> ASSIGNED;
            case UNASSIGN -> IN_STOCK;
            case SEND_TO_REPAIR -> IN_REPAIR;
            case RETURN_FROM_REPAIR, EXCHANGE_IN -> packHeld ? ASSIGNED : IN_STOCK;
            case DECLARE_LOST -> LOST;
            case DECLARE_STOLEN -> STOLEN;
            case EXCHANGE_OUT -> current == LOST || current == STOLEN ? current : PENDING_RETURN;
            case MARK_FOR_RETURN, FAIL_REPAIR -> PENDING_RETURN;
            case RETURN -> RETURNED;
        };
    }
}
