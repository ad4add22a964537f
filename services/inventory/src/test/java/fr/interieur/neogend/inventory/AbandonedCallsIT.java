package fr.interieur.neogend.inventory;

import com.zaxxer.hikari.HikariDataSource;
import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.ListDeviceHistoryRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A call whose caller gave up holds nothing and commits nothing once its deadline has passed: its
 * statements are cancelled with it ({@code CallBoundJdbcTemplate}). Tried the way it happens in service:
 * a device's row held by a long transaction (here the test's own connection, outside the service's pool)
 * while impatient callers pile up on it.
 */
@ServiceIT
class AbandonedCallsIT {

    private static final String CIE1 = "GN-RBRE-GGD35-CIE1";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
        fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35")));
        fleetManager.registerDevice(register(phone(2, "GN-RBRE-GGD35")));
    }

    /** A connection of the test's own, beside the service's pool. */
    Connection connection() throws SQLException {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        return DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
    }

    /** A transaction holding device {@code n}'s row, as a long write of another caller would. */
    Connection holdDevice(int n) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(false);
        try (var st = c.prepareStatement("select imei from device where imei = ? for update")) {
            st.setString(1, imei(n));
            st.executeQuery().close();
        }
        return c;
    }

    /** The backends of the service's database waiting for a lock. */
    static List<Integer> waitingForALock(Connection watch) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (var st = watch.prepareStatement("""
                        select pid from pg_stat_activity
                        where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()""");
                var rs = st.executeQuery()) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    static List<Integer> awaitWaiting(Connection watch, int atLeast) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // returns as soon as they wait
        List<Integer> pids = waitingForALock(watch);
        while (pids.size() < atLeast && System.nanoTime() < until) {
            Thread.sleep(20);
            pids = waitingForALock(watch);
        }
        return pids;
    }

    AssignDeviceRequest assign(int n, String agent) {
        return AssignDeviceRequest.newBuilder()
                .setImei(imei(n))
                .setUnitCode(CIE1)
                .setHolderAgentId(agent)
                .build();
    }

    Device device(int n) {
        return fleetManager
                .getDevice(GetDeviceRequest.newBuilder().setImei(imei(n)).build())
                .getDevice();
    }

    /** What device {@code n}'s history records, in order. */
    List<String> history(int n) {
        return fleetManager
                .listDeviceHistory(
                        ListDeviceHistoryRequest.newBuilder().setImei(imei(n)).build())
                .getEntriesList()
                .stream()
                .map(e -> e.getSubjectType() + " " + e.getAction())
                .toList();
    }

    @Test
    void callersWhoGaveUpLeaveThePoolToOthersAndTheirWritesUndone() throws Exception {
        int poolSize = dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize();
        int impatient = poolSize + 2; // more than the pool: without a bound they would hold all of it
        ExecutorService callers = Executors.newFixedThreadPool(impatient);
        try (Connection held = holdDevice(1);
                Connection watch = connection()) {
            List<Future<StatusRuntimeException>> calls = new ArrayList<>();
            for (int i = 0; i < impatient; i++) {
                String agent = "AG-" + (1000 + i);
                calls.add(callers.submit(() -> catchThrowableOfType(
                        StatusRuntimeException.class,
                        () -> fleetManager
                                .withDeadlineAfter(1_500, TimeUnit.MILLISECONDS)
                                .assignDevice(assign(1, agent)))));
            }
            assertThat(awaitWaiting(watch, 1))
                    .as("the impatient calls wait for the held row")
                    .isNotEmpty();
            for (Future<StatusRuntimeException> call : calls) {
                StatusRuntimeException refused = call.get(30, TimeUnit.SECONDS);
                assertThat(refused).as("each caller gives up at its deadline").isNotNull();
                assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            }

            // the row is still held, yet the service answers someone else within that caller's deadline
            Device other = fleetManager
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getDevice(GetDeviceRequest.newBuilder().setImei(imei(2)).build())
                    .getDevice();
            assertThat(other.getImei()).isEqualTo(imei(2));

            // and no statement of the abandoned calls is left waiting for the row: each is cancelled at its query
            // timeout (the call's time left, at least 1 s, by the driver's timer), the later ones only once a
            // connection freed; a loaded machine spreads that over seconds, a statement without a bound waits
            // for the row as long as it is held (the whole wait)
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!waitingForALock(watch).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(waitingForALock(watch))
                    .as("statements still waiting for the row after their callers gave up")
                    .isEmpty();
            held.rollback();
        } finally {
            callers.shutdownNow();
        }
        Thread.sleep(500); // had a statement outlived its caller, it would commit now that the row is free
        Device untouched = device(1);
        assertThat(untouched.getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(untouched.getHolderAgentId()).isEmpty();
        assertThat(history(1))
                .as("no assignment recorded for a caller who was told DEADLINE_EXCEEDED")
                .isEqualTo(history(2)); // its twin, registered with it and left alone

        // the device is as usable as before: a caller who waits gets it
        assertThat(fleetManager.assignDevice(assign(1, "AG-2000")).getDevice().getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
    }

    @Test
    void aStatementAnOperatorCancelsIsARetryForTheCallerNotAnInternalError() throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Connection held = holdDevice(1);
                Connection watch = connection()) {
            Future<StatusRuntimeException> call = caller.submit(() -> catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> fleetManager.withDeadlineAfter(30, TimeUnit.SECONDS).assignDevice(assign(1, "AG-1001"))));
            List<Integer> waiting = awaitWaiting(watch, 1);
            assertThat(waiting).hasSize(1);
            try (var st = watch.prepareStatement("select pg_cancel_backend(?)")) { // what a DBA does
                st.setInt(1, waiting.get(0));
                st.executeQuery().close();
            }
            StatusRuntimeException refused = call.get(20, TimeUnit.SECONDS);
            assertThat(refused).isNotNull();
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getStatus().getDescription()).contains("retry").doesNotContain("SQL");
            held.rollback();
        } finally {
            caller.shutdownNow();
        }
        assertThat(device(1).getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(fleetManager.assignDevice(assign(1, "AG-1001")).getDevice().getState())
                .as("the retry the caller was told to make")
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
    }
}
