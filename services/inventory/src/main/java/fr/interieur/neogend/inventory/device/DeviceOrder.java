package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.error.InvalidArgumentException;

import java.util.Optional;

/** Sort orders of device listings; each ends with the IMEI so that keyset pages are stable. */
public enum DeviceOrder {
    IMEI("imei"),
    MODEL("model"),
    UNIT_CODE("unit_code"),
    UPDATE_TIME_DESC("update_time desc");

    /** Separates the sort value from the IMEI in a cursor; never part of a model name. */
    public static final char SEPARATOR = '\u001f';

    private final String text;

    DeviceOrder(String text) {
        this.text = text;
    }

    public static DeviceOrder parse(Optional<String> orderBy) {
        if (orderBy.isEmpty()) {
            return IMEI;
        }
        String wanted = orderBy.get().trim().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
        for (DeviceOrder o : values()) {
            if (o.text.equals(wanted)) {
                return o;
            }
        }
        throw InvalidArgumentException.of(
                "order_by", "must be one of \"imei\", \"model\", \"unit_code\", \"update_time desc\"");
    }

    /** The cursor of a device in this order. */
    public String keyOf(Device d) {
        return switch (this) {
            case IMEI -> d.imei();
            case MODEL -> d.model() + SEPARATOR + d.imei();
            case UNIT_CODE -> d.unitCode().orElse("") + SEPARATOR + d.imei();
            case UPDATE_TIME_DESC ->
                (d.updatedAt().getEpochSecond() * 1_000_000 + d.updatedAt().getNano() / 1000)
                        + String.valueOf(SEPARATOR)
                        + d.imei();
        };
    }
}
