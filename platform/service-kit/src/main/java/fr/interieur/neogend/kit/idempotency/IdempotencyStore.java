package fr.interieur.neogend.kit.idempotency;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Idempotency records in the service's own database (table {@code idempotency_record}, created by
 * the kit's repeatable migration). Each step commits on its own: the record of a key exists before
 * the call runs, so a concurrent repeat sees it in flight.
 */
public class IdempotencyStore {

    /** What a new request with a key meets. */
    public sealed interface Begin {
        /** First time: run the call, then {@link #complete} or {@link #release}. */
        record Fresh() implements Begin {}

        /** Done before with the same request: answer this. */
        record Replay(byte[] response) implements Begin {}

        /** The key was used with another request. */
        record Mismatch(String method) implements Begin {}

        /** The first request with this key is still running (or its outcome was never recorded). */
        record InFlight(boolean stale) implements Begin {}
    }

    private final JdbcClient jdbc;
    private final Duration retention;
    private final Duration staleAfter;
    private final AtomicLong calls = new AtomicLong();

    public IdempotencyStore(JdbcClient jdbc, Duration retention, Duration staleAfter) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.staleAfter = staleAfter;
    }

    public Begin begin(String client, String key, String method, byte[] requestHash) {
        if (calls.incrementAndGet() % 500 == 1) {
            jdbc.sql("delete from idempotency_record where created_at < now() - ? * interval '1 second'")
                    .param(retention.toSeconds())
                    .update();
        }
        int inserted = jdbc.sql("""
                        insert into idempotency_record (client_id, idem_key, method, request_hash, state)
                        values (?, ?, ?, ?, 'IN_FLIGHT') on conflict (client_id, idem_key) do nothing""").params(client, key, method, requestHash).update();
        if (inserted == 1) {
            return new Begin.Fresh();
        }
        record Row(String method, byte[] hash, String state, byte[] response, boolean stale) {}
        Optional<Row> row = jdbc.sql("""
                        select method, request_hash, state, response,
                               created_at < now() - ? * interval '1 second' as stale
                        from idempotency_record where client_id = ? and idem_key = ?""")
                .params(staleAfter.toSeconds(), client, key)
                .query((rs, n) ->
                        new Row(rs.getString(1), rs.getBytes(2), rs.getString(3), rs.getBytes(4), rs.getBoolean(5)))
                .optional();
        if (row.isEmpty()) { // released meanwhile: try once more
            return begin(client, key, method, requestHash);
        }
        Row r = row.get();
        if (!r.method().equals(method) || !Arrays.equals(r.hash(), requestHash)) {
            return new Begin.Mismatch(r.method());
        }
        if (r.state().equals("DONE")) {
            return new Begin.Replay(r.response());
        }
        return new Begin.InFlight(r.stale());
    }

    public void complete(String client, String key, byte[] response) {
        jdbc.sql("update idempotency_record set state = 'DONE', response = ?, completed_at = now() "
                        + "where client_id = ? and idem_key = ?")
                .params(response, client, key)
                .update();
    }

    /** The call failed (nothing was created): the key may be used again. */
    public void release(String client, String key) {
        jdbc.sql("delete from idempotency_record where client_id = ? and idem_key = ? and state = 'IN_FLIGHT'")
                .params(client, key)
                .update();
    }
}
