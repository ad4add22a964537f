package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.enrolment.CredentialRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Optional;

/** Device credentials in PostgreSQL (table {@code device_credential}: its only writer). */
@Repository
class JdbcCredentialRepository implements CredentialRepository {

    private final JdbcClient jdbc;

    JdbcCredentialRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void replace(String imei, String id, byte[] secretHash, String createdBy) {
        jdbc.sql("update device_credential set revoked_at = now() where imei = ? and revoked_at is null")
                .param(imei)
                .update();
        jdbc.sql("""
                        insert into device_credential (id, imei, secret_hash, created_at, created_by)
                        values (?, ?, ?, now(), ?)""").params(id, imei, secretHash, createdBy).update();
    }

    @Override
    public Optional<Active> active(String id) {
        return jdbc.sql("""
                        select c.imei, c.secret_hash from device_credential c
                        where c.id = ? and c.revoked_at is null
                          and (not exists (select 1 from device_revocation r where r.imei = c.imei)
                               or exists (select 1 from device_revocation r
                                          join device_command k on k.imei = r.imei
                                          where r.imei = c.imei and r.reason in ('DEVICE_LOST', 'DEVICE_STOLEN')
                                            and k.command in ('LOCK', 'WIPE') and k.status in ('QUEUED', 'DELIVERED')))""")
                .param(id)
                .query((rs, n) -> new Active(rs.getString(1), rs.getBytes(2)))
                .optional();
    }
}
