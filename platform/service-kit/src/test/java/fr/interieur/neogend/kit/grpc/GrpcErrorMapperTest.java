package fr.interieur.neogend.kit.grpc;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class GrpcErrorMapperTest {

    @Test
    void aLostDatabaseConnectionIsUnavailableToRetryNotAnInternalError() {
        var lost = new UncategorizedSQLException(
                "insert", "insert into device …", new SQLException("This connection has been closed.", "08003"));
        var shuttingDown = new UncategorizedSQLException(
                "select", "select …", new SQLException("terminating connection due to administrator command", "57P01"));
        var noConnection = new CannotCreateTransactionException(
                "no JDBC connection",
                new java.sql.SQLTransientConnectionException("HikariPool-1 - Connection is not available"));
        var rollbackFailed = new org.springframework.transaction.TransactionSystemException(
                "JDBC rollback failed", new SQLException("Connection is closed"));
        var rollbackHidingTheCause =
                new org.springframework.transaction.TransactionSystemException("JDBC rollback failed");
        rollbackHidingTheCause.initApplicationException(lost);
        for (Exception e : new Exception[] {
            lost,
            shuttingDown,
            noConnection,
            rollbackFailed,
            rollbackHidingTheCause,
            new DataAccessResourceFailureException("refused")
        }) {
            var status = GrpcErrorMapper.toStatusException(e).getStatus();
            assertThat(status.getCode()).as(e.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(status.getDescription())
                    .contains("database is unavailable")
                    .doesNotContain("SQL");
        }
        var bug = new UncategorizedSQLException("select", "select …", new SQLException("syntax error", "42601"));
        assertThat(GrpcErrorMapper.toStatusException(bug).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(GrpcErrorMapper.toStatusException(new IllegalStateException("x"))
                        .getStatus()
                        .getDescription())
                .isEqualTo("internal error");
    }

    @Test
    void aCancelledStatementIsTheDeadlineWhenTheCallIsOverAndARetryOtherwise() throws Exception {
        var timedOut = new org.springframework.dao.QueryTimeoutException(
                "select", new SQLException("ERROR: canceling statement due to user request", "57014"));
        var byAnOperator = new UncategorizedSQLException(
                "update", "update device …", new SQLException("canceling statement due to user request", "57014"));
        for (Exception e : new Exception[] {timedOut, byAnOperator}) {
            var status = GrpcErrorMapper.toStatusException(e).getStatus();
            assertThat(status.getCode()).as(e.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(status.getDescription()).contains("retry").doesNotContain("SQL");
        }
        var call = io.grpc.Context.current().withCancellation();
        call.cancel(null); // the caller gave up, or its deadline passed
        Status status =
                call.call(() -> GrpcErrorMapper.toStatusException(timedOut).getStatus());
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void aDeadlockOrASerializationFailureIsAConflictToRetryNotAnInternalError() {
        var deadlock = new UncategorizedSQLException(
                "insert", "insert into stock_level …", new SQLException("ERROR: deadlock detected", "40P01"));
        var serialization = new UncategorizedSQLException(
                "update", "update …", new SQLException("could not serialize access", "40001"));
        var lockNotGranted = new org.springframework.dao.CannotAcquireLockException("lock not available");
        for (Exception e : new Exception[] {deadlock, serialization, lockNotGranted}) {
            var status = GrpcErrorMapper.toStatusException(e).getStatus();
            assertThat(status.getCode()).as(e.toString()).isEqualTo(Status.Code.ABORTED);
            assertThat(status.getDescription()).contains("retry").doesNotContain("SQL");
        }
    }

    @Test
    void eachDomainErrorHasItsStatusAndItsMessageAsTheDescription() {
        java.util.Map<fr.interieur.neogend.kit.error.DomainException, Status.Code> cases = java.util.Map.of(
                new fr.interieur.neogend.kit.error.NotFoundException("no x"), Status.Code.NOT_FOUND,
                new fr.interieur.neogend.kit.error.AlreadyExistsException("x exists"), Status.Code.ALREADY_EXISTS,
                new fr.interieur.neogend.kit.error.PreconditionFailedException("x is closed"),
                        Status.Code.FAILED_PRECONDITION,
                new fr.interieur.neogend.kit.error.ConcurrentChangeException("x changed"), Status.Code.ABORTED,
                new fr.interieur.neogend.kit.error.AccessDeniedException("not yours"), Status.Code.PERMISSION_DENIED,
                new fr.interieur.neogend.kit.error.UnavailableException("send it again"), Status.Code.UNAVAILABLE,
                new fr.interieur.neogend.kit.error.UnauthenticatedException("revoked"), Status.Code.UNAUTHENTICATED);
        cases.forEach((e, code) -> {
            var status = GrpcErrorMapper.toStatusException(e).getStatus();
            assertThat(status.getCode()).as(e.getClass().getSimpleName()).isEqualTo(code);
            assertThat(status.getDescription()).isEqualTo(e.getMessage());
        });
    }
}
