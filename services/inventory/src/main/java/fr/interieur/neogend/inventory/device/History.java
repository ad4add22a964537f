package fr.interieur.neogend.inventory.device;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The fields of devices and packs that history entries keep, and what changed between two versions. */
final class History {

    private History() {}

    static Map<String, Object> of(Device d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", d.state().name());
        m.put("unit_code", d.unitCode().orElse(null));
        m.put("police_report_reference", d.policeReport().orElse(null));
        m.put("repair_id", d.repair().open().orElse(null));
        m.put("version", d.version());
        return m;
    }

    static Map<String, Object> of(Pack p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", p.type().name());
        m.put("device_imei", p.deviceImei().orElse(null));
        m.put("unit_code", p.unitCode().orElse(null));
        m.put("holder_agent_id", p.holderAgentId().orElse(null));
        m.put("held", p.held());
        m.put("accessories", p.accessories());
        m.put("lease_start", p.leaseStart().toString());
        m.put("lease_end", p.leaseEnd().map(Object::toString).orElse(null));
        m.put("agreement_id", p.agreementId().orElse(null));
        m.put("version", p.version());
        return m;
    }

    /** The entries of {@code before} and {@code after} whose values differ (the version always). */
    static Map<String, Object>[] diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> b = new HashMap<>();
        Map<String, Object> a = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (!Objects.equals(before.get(k), v)) {
                b.put(k, before.get(k));
                a.put(k, v);
            }
        });
        @SuppressWarnings("unchecked")
        Map<String, Object>[] pair = new Map[] {b, a};
        return pair;
    }
}
