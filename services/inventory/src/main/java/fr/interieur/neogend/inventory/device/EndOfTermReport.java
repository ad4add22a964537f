package fr.interieur.neogend.inventory.device;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Devices not yet RETURNED, per unit (DOMAIN rule 12: at the end of the term, every device must be).
 *
 * @param units per holding unit, by code ("" for central stock)
 */
public record EndOfTermReport(long notReturnedTotal, List<UnitLine> units) {

    /** One unit's devices not returned, per state. */
    public record UnitLine(String unitCode, String unitName, long notReturned, Map<DeviceState, Long> byState) {}

    /** One (unit, state) count as read from storage. */
    public record Row(String unitCode, String unitName, DeviceState state, long count) {}

    /** Groups rows ordered by unit code. */
    static EndOfTermReport of(List<Row> rows) {
        List<UnitLine> units = new ArrayList<>();
        long total = 0;
        int i = 0;
        while (i < rows.size()) {
            Row first = rows.get(i);
            Map<DeviceState, Long> byState = new EnumMap<>(DeviceState.class);
            long n = 0;
            while (i < rows.size() && rows.get(i).unitCode().equals(first.unitCode())) {
                byState.put(rows.get(i).state(), rows.get(i).count());
                n += rows.get(i).count();
                i++;
            }
            units.add(new UnitLine(first.unitCode(), first.unitName(), n, byState));
            total += n;
        }
        return new EndOfTermReport(total, List.copyOf(units));
    }
}
