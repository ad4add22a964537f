package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.error.PreconditionFailedException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static fr.interieur.neogend.inventory.device.DeviceState.ASSIGNED;
import static fr.interieur.neogend.inventory.device.DeviceState.IN_REPAIR;
import static fr.interieur.neogend.inventory.device.DeviceState.IN_STOCK;
import static fr.interieur.neogend.inventory.device.DeviceState.LOST;
import static fr.interieur.neogend.inventory.device.DeviceState.PENDING_RETURN;
import static fr.interieur.neogend.inventory.device.DeviceState.RETURNED;
import static fr.interieur.neogend.inventory.device.DeviceState.STOLEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every (state, action) pair of the device state machine: the legal ones and their outcome, the rest refused. */
class DeviceLifecycleTest {

    private static final String IMEI = "352990110000019";

    /** The expected outcome of each legal transition, for a device whose pack is held / not held. */
    private static Map<DeviceAction, Map<DeviceState, DeviceState[]>> expected() {
        Map<DeviceAction, Map<DeviceState, DeviceState[]>> m = new EnumMap<>(DeviceAction.class);
        put(m, DeviceAction.ASSIGN, IN_STOCK, ASSIGNED, ASSIGNED);
        put(m, DeviceAction.UNASSIGN, ASSIGNED, IN_STOCK, IN_STOCK);
        put(m, DeviceAction.SEND_TO_REPAIR, IN_STOCK, IN_REPAIR, IN_REPAIR);
        put(m, DeviceAction.SEND_TO_REPAIR, ASSIGNED, IN_REPAIR, IN_REPAIR);
        put(m, DeviceAction.RETURN_FROM_REPAIR, IN_REPAIR, ASSIGNED, IN_STOCK);
        put(m, DeviceAction.FAIL_REPAIR, IN_REPAIR, PENDING_RETURN, PENDING_RETURN);
        for (DeviceState from : List.of(IN_STOCK, ASSIGNED, IN_REPAIR, PENDING_RETURN)) {
            put(m, DeviceAction.DECLARE_LOST, from, LOST, LOST);
            put(m, DeviceAction.DECLARE_STOLEN, from, STOLEN, STOLEN);
        }
        for (DeviceState from : List.of(IN_STOCK, ASSIGNED, IN_REPAIR)) {
            put(m, DeviceAction.EXCHANGE_OUT, from, PENDING_RETURN, PENDING_RETURN);
            put(m, DeviceAction.MARK_FOR_RETURN, from, PENDING_RETURN, PENDING_RETURN);
        }
        put(m, DeviceAction.DECLARE_STOLEN, LOST, STOLEN, STOLEN); // found out later: the WIPE follows
        put(m, DeviceAction.EXCHANGE_OUT, PENDING_RETURN, PENDING_RETURN, PENDING_RETURN);
        put(m, DeviceAction.EXCHANGE_OUT, LOST, LOST, LOST);
        put(m, DeviceAction.EXCHANGE_OUT, STOLEN, STOLEN, STOLEN);
        put(m, DeviceAction.EXCHANGE_IN, IN_STOCK, ASSIGNED, IN_STOCK);
        for (DeviceState from : List.of(PENDING_RETURN, LOST, STOLEN)) {
            put(m, DeviceAction.RETURN, from, RETURNED, RETURNED);
        }
        return m;
    }

    private static void put(
            Map<DeviceAction, Map<DeviceState, DeviceState[]>> m,
            DeviceAction action,
            DeviceState from,
            DeviceState whenHeld,
            DeviceState whenNotHeld) {
        m.computeIfAbsent(action, a -> new EnumMap<>(DeviceState.class))
                .put(from, new DeviceState[] {whenHeld, whenNotHeld});
    }

    @Test
    void everyPairIsEitherTheExpectedTransitionOrRefusedNamingTheCurrentState() {
        Map<DeviceAction, Map<DeviceState, DeviceState[]>> expected = expected();
        List<String> checked = new ArrayList<>();
        for (DeviceAction action : DeviceAction.values()) {
            for (DeviceState from : DeviceState.values()) {
                DeviceState[] outcome = expected.getOrDefault(action, Map.of()).get(from);
                for (boolean held : new boolean[] {true, false}) {
                    if (outcome != null) {
                        assertThat(DeviceLifecycle.next(IMEI, from, action, held))
                                .as(action + " from " + from)
                                .isEqualTo(outcome[held ? 0 : 1]);
                    } else {
                        PreconditionFailedException e = catchThrowableOfType(
                                PreconditionFailedException.class,
                                () -> DeviceLifecycle.next(IMEI, from, action, held));
                        assertThat(e)
                                .as(action + " from " + from + " must be refused")
                                .isNotNull();
                        assertThat(e.getMessage()).contains("is " + from).contains(action.verb());
                    }
                    checked.add(action + "/" + from + "/" + held);
                }
            }
        }
        assertThat(checked).hasSize(DeviceAction.values().length * DeviceState.values().length * 2);
    }

    @Test
    void lostStolenAndReturnedDevicesAreNeverAssigned() {
        for (DeviceState from : List.of(LOST, STOLEN, RETURNED)) {
            assertThat(catchThrowableOfType(
                                    PreconditionFailedException.class,
                                    () -> DeviceLifecycle.next(IMEI, from, DeviceAction.ASSIGN, false))
                            .getMessage())
                    .isEqualTo("device " + IMEI + " is " + from + "; cannot assign it (allowed from IN_STOCK)");
            assertThat(DeviceLifecycle.allowedFrom(DeviceAction.EXCHANGE_IN)).doesNotContain(from);
        }
    }

    @Test
    void aReturnedDeviceIsFinal() {
        for (DeviceAction action : DeviceAction.values()) {
            assertThat(DeviceLifecycle.allowedFrom(action)).doesNotContain(RETURNED);
        }
    }
}
