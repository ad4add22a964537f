package fr.interieur.neogend.kit.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.DomainException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.UnauthenticatedException;
import fr.interieur.neogend.kit.error.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * The one place a service's exceptions become gRPC statuses. Domain errors keep their message;
 * invalid arguments also carry a {@code google.rpc.BadRequest} naming each bad field; anything
 * unexpected becomes INTERNAL with no detail (the cause is logged with the correlation id).
 */
public class GrpcErrorMapper implements GrpcExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrorMapper.class);
    /**
     * Field violations sent with an INVALID_ARGUMENT, at most, and the characters of each part: they
     * travel in trailers, which the gateway reads within its limit (64 KiB; gRPC's default is 8 KiB),
     * so no message may grow with what a caller sent.
     */
    static final int MAX_VIOLATIONS = 10;

    static final int MAX_FIELD = 120;
    static final int MAX_DESCRIPTION = 200;
    static final int MAX_MESSAGE = 500;

    @Override
    public StatusException handleException(Throwable exception) {
        return toStatusException(exception);
    }

    /** A lost or refused database connection, anywhere in the cause chain (SQL state class 08, 57P0x). */
    static boolean databaseUnreachable(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql
                    && (sql.getSQLState() != null
                                    && (sql.getSQLState().startsWith("08")
                                            || sql.getSQLState().startsWith("57P0"))
                            || "Connection is closed".equals(sql.getMessage()))) { // the pool's proxy of a broken one
                return true;
            }
            // a failed rollback hides the error that caused it
            if (t instanceof org.springframework.transaction.TransactionSystemException tse
                    && tse.getApplicationException() != null
                    && databaseUnreachable(tse.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A statement cancelled (SQL state 57014) anywhere in the cause chain: by its query timeout — the
     * call's deadline — or by an operator ({@code pg_cancel_backend}).
     */
    static boolean statementCancelled(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.QueryTimeoutException
                    || t instanceof java.sql.SQLException sql && "57014".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A deadlock (40P01), a serialization failure (40001) or a lock not granted, anywhere in the cause chain. */
    static boolean transactionConflict(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.PessimisticLockingFailureException
                    || t instanceof java.sql.SQLException sql
                            && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    public static StatusException toStatusException(Throwable exception) {
        if (exception instanceof StatusException se) {
            return se;
        }
        if (exception instanceof StatusRuntimeException sre) {
            return new StatusException(sre.getStatus(), sre.getTrailers());
        }
        if (exception instanceof InvalidArgumentException invalid) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            // Trailers are small (8 KiB by default): the first violations travel, the message counts all.
            invalid.violations().stream()
                    .limit(MAX_VIOLATIONS)
                    .forEach(v -> badRequest
                            .addFieldViolationsBuilder()
                            .setField(cut(v.field(), MAX_FIELD))
                            .setDescription(cut(v.description(), MAX_DESCRIPTION)));
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage(cut(invalid.getMessage(), MAX_MESSAGE))
                    .addDetails(Any.pack(badRequest.build()))
                    .build();
            return StatusProto.toStatusException(status);
        }
        if (exception instanceof DomainException domain) {
            return statusOf(domain)
                    .withDescription(cut(domain.getMessage(), MAX_MESSAGE))
                    .asException();
        }
        if (exception instanceof DuplicateKeyException) { // a concurrent request stored the same key first
            return Status.ABORTED
                    .withDescription("a concurrent change stored the same data; retry")
                    .asException();
        }
        if (exception instanceof OptimisticLockingFailureException) {
            return Status.ABORTED
                    .withDescription("the resource changed meanwhile; read it again and retry")
                    .asException();
        }
        if (transactionConflict(exception)) { // a deadlock victim or a serialization failure: nothing was kept
            log.warn("a transaction lost a conflict with a concurrent one: {}", exception.toString());
            return Status.ABORTED
                    .withDescription("a concurrent request got in the way; nothing was changed, retry")
                    .asException();
        }
        if (statementCancelled(exception)) {
            if (io.grpc.Context.current().isCancelled()) { // cut at the call's deadline (CallBoundJdbcTemplate)
                log.info("a statement was cancelled at its call's deadline: {}", exception.toString());
                return Status.DEADLINE_EXCEEDED
                        .withDescription("the call's deadline passed while the database was working on it")
                        .asException();
            }
            log.warn("a database statement was cancelled: {}", exception.toString());
            return Status.UNAVAILABLE
                    .withDescription("a database statement was cancelled; retry")
                    .asException();
        }
        if (databaseUnreachable(exception)) { // restarted, failed over, network: worth a retry, nothing was stored
            log.warn("database unreachable: {}", exception.toString());
            return Status.UNAVAILABLE
                    .withDescription("the service's database is unavailable for a moment; retry")
                    .asException();
        }
        log.error("unexpected error in a gRPC call", exception);
        return Status.INTERNAL.withDescription("internal error").asException();
    }

    /** A text cut to {@code max} characters, saying so: a message never grows with the caller's input. */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "… (cut)";
    }

    private static Status statusOf(DomainException e) {
        if (e instanceof NotFoundException) {
            return Status.NOT_FOUND;
        }
        if (e instanceof AlreadyExistsException) {
            return Status.ALREADY_EXISTS;
        }
        if (e instanceof PreconditionFailedException) {
            return Status.FAILED_PRECONDITION;
        }
        if (e instanceof ConcurrentChangeException) {
            return Status.ABORTED;
        }
        if (e instanceof AccessDeniedException) {
            return Status.PERMISSION_DENIED;
        }
        if (e instanceof UnavailableException) {
            return Status.UNAVAILABLE;
        }
        if (e instanceof UnauthenticatedException) {
            return Status.UNAUTHENTICATED;
        }
        return Status.INTERNAL;
    }
}
