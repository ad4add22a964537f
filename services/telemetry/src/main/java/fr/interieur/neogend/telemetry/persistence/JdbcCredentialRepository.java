package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.enrolment.CredentialRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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

    /** Which credentials may authenticate: not replaced, the device not revoked or lost/stolen with a LOCK or WIPE. */
    private static final String ACTIVE = """
            select c.id, c.imei, c.secret_hash from device_credential c
            where c.id %s and c.revoked_at is null
              and (not exists (select 1 from device_revocation r where r.imei = c.imei)
                   or exists (select 1 from device_revocation r
                              join device_command k on k.imei = r.imei
                              where r.imei = c.imei and r.reason in ('DEVICE_LOST', 'DEVICE_STOLEN')
                                and k.command in ('LOCK', 'WIPE') and k.status in ('QUEUED', 'DELIVERED')))""";

    @Override
    public Optional<Active> active(String id) {
        return jdbc.sql(ACTIVE.formatted("= ?"))
                .param(id)
                .query((rs, n) -> new Active(rs.getString(2), rs.getBytes(3)))
                .optional();
    }

    @Override
    public Map<String, Active> activeAll(Collection<String> ids) {
        Map<String, Active> found = new HashMap<>();
        jdbc.sql(ACTIVE.formatted("= any(?::varchar[])"))
                .param(ids.toArray(String[]::new))
                .query(rs -> {
                    found.put(rs.getString(1), new Active(rs.getString(2), rs.getBytes(3)));
                });
        return found;
    }
}
