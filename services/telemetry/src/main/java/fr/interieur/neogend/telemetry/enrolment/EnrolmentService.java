package fr.interieur.neogend.telemetry.enrolment;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Enrols devices known to inventory: one active credential per device, replaced on re-enrolment. */
@Service
public class EnrolmentService {

    private final JdbcClient jdbc;
    private final InventoryDevices inventory;

    public EnrolmentService(JdbcClient jdbc, InventoryDevices inventory) {
        this.jdbc = jdbc;
        this.inventory = inventory;
    }

    @Transactional
    public DeviceCredentials.Issued enrol(String imei, Caller caller) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
        Boolean revoked = jdbc.sql("select exists(select 1 from device_revocation where imei = ?)").param(imei)
                .query(Boolean.class).single();
        if (revoked) {
            throw new PreconditionFailedException("device " + imei
                    + " was declared lost, stolen, exchanged or returned: it cannot be enrolled");
        }
        if (!inventory.exists(imei)) {
            throw new NotFoundException("no device with IMEI " + imei + " in inventory");
        }
        jdbc.sql("update device_credential set revoked_at = now() where imei = ? and revoked_at is null")
                .param(imei).update();
        DeviceCredentials.Issued issued = DeviceCredentials.issue();
        jdbc.sql("""
                        insert into device_credential (id, imei, secret_hash, created_at, created_by)
                        values (?, ?, ?, now(), ?)""")
                .params(issued.id(), imei, issued.secretHash(), caller.username()).update();
        return issued;
    }
}
