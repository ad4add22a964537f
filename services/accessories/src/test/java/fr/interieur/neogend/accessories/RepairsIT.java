package fr.interieur.neogend.accessories;

import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc.AccessoriesServiceBlockingStub;
import fr.interieur.neogend.accessories.v1.CatalogueItem;
import fr.interieur.neogend.accessories.v1.CloseRepairRequest;
import fr.interieur.neogend.accessories.v1.ConsumeRepairPartRequest;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemRequest;
import fr.interieur.neogend.accessories.v1.CreateDepotRequest;
import fr.interieur.neogend.accessories.v1.GetRepairRequest;
import fr.interieur.neogend.accessories.v1.GetStockRequest;
import fr.interieur.neogend.accessories.v1.ItemCategory;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListRepairsRequest;
import fr.interieur.neogend.accessories.v1.ListStockAlertsRequest;
import fr.interieur.neogend.accessories.v1.ListStockMovementsRequest;
import fr.interieur.neogend.accessories.v1.MovementKind;
import fr.interieur.neogend.accessories.v1.OpenRepairRequest;
import fr.interieur.neogend.accessories.v1.ProposeReplenishmentRequest;
import fr.interieur.neogend.accessories.v1.RecordStockMovementRequest;
import fr.interieur.neogend.accessories.v1.Repair;
import fr.interieur.neogend.accessories.v1.RepairOutcome;
import fr.interieur.neogend.accessories.v1.RepairState;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelRequest;
import fr.interieur.neogend.accessories.v1.StockAlert;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DevicePlacement;
import fr.interieur.neogend.inventory.v1.DeviceRepairOutcome;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairResponse;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairResponse;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsResponse;
import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderResponse;
import fr.interieur.neogend.order.v1.ExchangeRequest;
import fr.interieur.neogend.order.v1.ExchangeRequestState;
import fr.interieur.neogend.order.v1.ListExchangeRequestsRequest;
import fr.interieur.neogend.order.v1.ListExchangeRequestsResponse;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeRequest;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeResponse;
import fr.interieur.neogend.testkit.ContractRules;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.CheckCertificationResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repairs (rule 16) and replenishment drafts (rule 15) on real PostgreSQL, with inventory, training and
 * the order service as stand-in gRPC servers on real ports that behave as those services do for the
 * calls made (state changes, certification answers, idempotency keys) and record what they received.
 */
@ServiceIT
class RepairsIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final int TRAINING_PORT = TestPorts.free();
    static final int ORDER_PORT = TestPorts.free();

    /** The accessories service's own account (Keycloak client credentials in production). */
    @TestConfiguration(proxyBeanMethods = false)
    static class AccessoriesOwnAccount {
        @Bean
        @Primary
        ServiceTokenSource accessoriesAccount() {
            return () -> Optional.of(TestTokens.peer("accessories"));
        }
    }

    static final String X5 = "352990110000011";
    static final String TAB = "352990110000029";

    @DynamicPropertySource
    static void peers(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.training.target", () -> "localhost:" + TRAINING_PORT);
        registry.add("neogend.order.target", () -> "localhost:" + ORDER_PORT);
    }

    /** Inventory's devices: imei → state, model; the IMEIs the caller may not see. */
    final Map<String, DeviceState> states = new ConcurrentHashMap<>();

    final Map<String, String> models = new ConcurrentHashMap<>();
    final Set<String> hidden = ConcurrentHashMap.newKeySet();
    /** Spares: devices in no pack (inventory gives them no pack id; order exchanges none of them). */
    final Set<String> spares = ConcurrentHashMap.newKeySet();
    /** The devices inventory places outside the unit manager's subtree. */
    final Set<String> outsideUnitManager = ConcurrentHashMap.newKeySet();
    /** The repair each device is under in inventory, and the last repair ended ("id outcome"). */
    final Map<String, String> underRepair = new ConcurrentHashMap<>();

    final Map<String, String> ended = new ConcurrentHashMap<>();
    /** Training's answers: "technician|model" → reason when not certified. */
    final Map<String, String> notCertified = new ConcurrentHashMap<>();
    /** The order service: exchange requests by idempotency key, draft orders by key. */
    final Map<String, ExchangeRequest> exchangesByKey = new ConcurrentHashMap<>();

    /** Drafts by "scope|key", the scope as order keeps Idempotency-Keys (per calling service, else per user). */
    final Map<String, PurchaseOrder> draftsByKey = new ConcurrentHashMap<>();
    /** The order service creates the draft, then its answer is lost (the channel's one retry included). */
    final AtomicInteger orderAnswersToLose = new AtomicInteger();
    /** The order service cannot be reached: nothing is created. */
    final AtomicInteger orderFailuresToInject = new AtomicInteger();

    final AtomicInteger numbers = new AtomicInteger();
    /** Every call received: "service/method" plus the caller's token's username claim. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    final AtomicInteger inventoryFailuresToInject = new AtomicInteger();
    /** Inventory ends the repair, then its answer is lost. */
    final AtomicInteger inventoryAnswersToLose = new AtomicInteger();

    final List<String> failReasons = new CopyOnWriteArrayList<>();

    /** Inventory takes the device under the repair, then its answer to StartDeviceRepair is lost. */
    final AtomicInteger inventoryStartAnswersToLose = new AtomicInteger();
    /**
     * The next StartDeviceRepair counts the first latch down on arrival, then waits for the second before doing
     * anything (a call stuck on its way to inventory).
     */
    final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch[]> nextStartHeld =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The same for the next CheckCertification at the training service. */
    final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch[]> nextCheckHeld =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The same for the next RequestDeviceExchange at the order service. */
    final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch[]> nextExchangeHeld =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Autowired
    JdbcClient jdbc;

    @Autowired
    javax.sql.DataSource dataSource;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    AccessoriesServiceBlockingStub fleetManager;
    AccessoriesServiceBlockingStub technician;
    List<Server> servers;

    @BeforeEach
    void start() throws IOException {
        AccessoriesTestData.reset(jdbc);
        states.put(X5, DeviceState.DEVICE_STATE_ASSIGNED);
        models.put(X5, "Rugged X5");
        states.put(TAB, DeviceState.DEVICE_STATE_IN_STOCK);
        models.put(TAB, "Field Tab 10");
        notCertified.put("technician|Field Tab 10", "technician holds no certification for Field Tab 10");
        servers = List.of(inventory(), training(), order());
        fleetManager = clients.as(TestTokens.fleetManager(), AccessoriesServiceGrpc::newBlockingStub);
        technician = clients.as(TestTokens.technician("GN-RBRE"), AccessoriesServiceGrpc::newBlockingStub);
        fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                .setItem(CatalogueItem.newBuilder()
                        .setCode("SP-SCREEN-X5")
                        .setLabel("Écran Rugged X5")
                        .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                        .addFitsModels("Rugged X"))
                .build());
        fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                .setItem(CatalogueItem.newBuilder()
                        .setCode("SP-SCREEN-TAB10")
                        .setLabel("Écran Field Tab 10")
                        .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                        .addFitsModels("Field Tab 10"))
                .build());
        fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                .setItem(CatalogueItem.newBuilder()
                        .setCode("CASE-X5")
                        .setLabel("Coque")
                        .setCategory(ItemCategory.ITEM_CATEGORY_ACCESSORY)
                        .addFitsModels("Rugged X5")
                        .setAgreementItemCode("ACC-CASE-RUGGED"))
                .build());
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-RENNES")
                .setName("Atelier de Rennes")
                .build());
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("SP-SCREEN-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(3)
                .build());
    }

    @AfterEach
    void stop() {
        servers.forEach(Server::shutdownNow);
    }

    Repair open(AccessoriesServiceBlockingStub as, String imei) {
        return as.openRepair(OpenRepairRequest.newBuilder()
                        .setImei(imei)
                        .setDepotCode("DEP-RENNES")
                        .setFault("screen cracked")
                        .build())
                .getRepair();
    }

    @Test
    void aFailedRepairOfASpareOutsideAnyPackSendsItBackWithoutAnExchangeAndCloses() {
        String spare = "352990110000052";
        states.put(spare, DeviceState.DEVICE_STATE_IN_STOCK);
        models.put(spare, "Rugged X5");
        spares.add(spare);
        Repair opened = open(technician, spare);

        Repair closed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "board dead");
        assertThat(closed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
        assertThat(closed.getExchangeRequestNumber()).isEmpty();
        assertThat(states).containsEntry(spare, DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(exchangesByKey.values()).extracting(ExchangeRequest::getImei).doesNotContain(spare);
        // closed for good: a repeat is told so, and nothing more happens
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "board dead"),
                Status.Code.FAILED_PRECONDITION,
                "is FAILED; it is closed");
        assertThat(exchangesByKey.values()).extracting(ExchangeRequest::getImei).doesNotContain(spare);
    }

    /**
     * A fault and a diagnosis as long as the contract (the field's rule in the proto, shown in the OpenAPI) lets
     * them be are recorded; one character more is refused naming the field — the contract had promised 1,000 and
     * 2,000 characters with line breaks where a repair keeps 500 on one line.
     */
    @Test
    void aFaultAndADiagnosisAsLongAsTheContractAllowsAreRecordedAndOneMoreCharacterIsRefusedNamingIt() {
        String spare = "352990110000060";
        states.put(spare, DeviceState.DEVICE_STATE_IN_STOCK);
        models.put(spare, "Rugged X5");
        spares.add(spare);
        int faultMost = ContractRules.maxLength(OpenRepairRequest.getDescriptor(), "fault");
        var opening = OpenRepairRequest.newBuilder().setImei(spare).setDepotCode("DEP-RENNES");
        GrpcAssertions.assertStatus(
                () -> technician.openRepair(
                        opening.clone().setFault("é".repeat(faultMost + 1)).build()),
                Status.Code.INVALID_ARGUMENT,
                "fault");
        Repair opened = technician
                .openRepair(opening.setFault("é".repeat(faultMost)).build())
                .getRepair();
        assertThat(opened.getFault()).hasSize(faultMost);

        int diagnosisMost = ContractRules.maxLength(CloseRepairRequest.getDescriptor(), "diagnosis");
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "é".repeat(diagnosisMost + 1)),
                Status.Code.INVALID_ARGUMENT,
                "diagnosis");
        Repair closed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "é".repeat(diagnosisMost));
        assertThat(closed.getState()).isEqualTo(RepairState.REPAIR_STATE_REPAIRED);
        assertThat(closed.getDiagnosis()).hasSize(diagnosisMost);
    }

    /**
     * A fault and a diagnosis are required: no-break, thin or zero-width spaces alone are none — a failed repair's
     * diagnosis is the reason its exchange request gives the supplier.
     */
    @Test
    void aFaultOrADiagnosisOfInvisibleSpacesAloneIsRefusedAndNoExchangeIsAskedWithoutAReason() {
        for (String blank : List.of("\u00a0", "\u200b", "\u2009\u202f\u00a0")) {
            GrpcAssertions.assertStatus(
                    () -> technician.openRepair(OpenRepairRequest.newBuilder()
                            .setImei(X5)
                            .setDepotCode("DEP-RENNES")
                            .setFault(blank)
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "fault");
        }
        assertThat(jdbc.sql("select count(*) from repair").query(Long.class).single())
                .isZero();
        Repair opened = open(technician, X5);
        for (String blank : List.of("\u00a0", "\u200b", "\u2009\u202f\u00a0")) {
            GrpcAssertions.assertStatus(
                    () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, blank),
                    Status.Code.INVALID_ARGUMENT,
                    "diagnosis");
        }
        assertThat(exchangesByKey).isEmpty();
        assertThat(state(technician, opened.getId())).isEqualTo(RepairState.REPAIR_STATE_OPEN);
        Repair failed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "carte mère HS");
        assertThat(exchangesByKey.values())
                .extracting(ExchangeRequest::getReason)
                .containsExactly("carte mère HS");
        assertThat(failed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
    }

    /** A repair's state as this caller reads it. */
    static RepairState state(AccessoriesServiceBlockingStub as, String repairId) {
        return as.getRepair(GetRepairRequest.newBuilder().setId(repairId).build())
                .getRepair()
                .getState();
    }

    Repair close(String id, RepairOutcome outcome, String diagnosis) {
        return technician
                .closeRepair(CloseRepairRequest.newBuilder()
                        .setRepairId(id)
                        .setOutcome(outcome)
                        .setDiagnosis(diagnosis)
                        .build())
                .getRepair();
    }

    long stock(String item) {
        return fleetManager
                .getStock(
                        GetStockRequest.newBuilder().setDepotCode("DEP-RENNES").build())
                .getLevelsList()
                .stream()
                .filter(l -> l.getItemCode().equals(item))
                .findFirst()
                .orElseThrow()
                .getQuantity();
    }

    @Test
    void anUncertifiedTechnicianIsRefusedWithTheReasonAndNothingChanges() {
        GrpcAssertions.assertStatus(
                () -> open(technician, TAB),
                Status.Code.PERMISSION_DENIED,
                "not certified to repair Field Tab 10: technician holds no certification for Field Tab 10");
        notCertified.put("technician|Rugged X5", "technician's certification for Rugged X5 expired on 2026-10-31");
        GrpcAssertions.assertStatus(() -> open(technician, X5), Status.Code.PERMISSION_DENIED, "expired on 2026-10-31");
        assertThat(states)
                .containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED)
                .containsEntry(TAB, DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(calls).noneMatch(c -> c.startsWith("inventory/StartDeviceRepair"));
        assertThat(jdbc.sql("select count(*) from repair").query(Long.class).single())
                .isZero();
        // a fleet manager is not a technician: refused before anything is asked
        GrpcAssertions.assertCode(Status.Code.PERMISSION_DENIED, () -> open(fleetManager, X5));
        // certified again (a new session passed): the same technician may open it now
        notCertified.remove("technician|Rugged X5");
        assertThat(open(technician, X5).getState()).isEqualTo(RepairState.REPAIR_STATE_OPEN);
    }

    @Test
    void openingPutsTheDeviceInRepairOnTheTechniciansBehalfOneRepairAtATime() {
        Repair opened = open(technician, X5);
        assertThat(opened.getId()).matches("RP-\\d{6}");
        assertThat(opened.getModel()).isEqualTo("Rugged X5");
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_IN_REPAIR);
        // inventory was asked on the technician's behalf, with the technician's own token
        assertThat(calls).contains("inventory/StartDeviceRepair by technician");
        GrpcAssertions.assertStatus(
                () -> open(technician, X5),
                Status.Code.ALREADY_EXISTS,
                "repair " + opened.getId() + " is open for device " + X5);
    }

    /** One X5 screen consumed in the repair. */
    static ConsumeRepairPartRequest oneScreen(Repair repair) {
        return ConsumeRepairPartRequest.newBuilder()
                .setRepairId(repair.getId())
                .setItemCode("SP-SCREEN-X5")
                .setQuantity(1)
                .build();
    }

    /** The caller's stub sending an Idempotency-Key with each call. */
    static AccessoriesServiceBlockingStub withKey(AccessoriesServiceBlockingStub caller, String key) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("idempotency-key", io.grpc.Metadata.ASCII_STRING_MARSHALLER), key);
        return caller.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @Test
    void aConsumptionRepeatedWithItsIdempotencyKeyTakesThePartOnce() {
        Repair opened = open(technician, X5);
        var keyed = withKey(technician, "consume-" + opened.getId() + "-1");
        var part = oneScreen(opened);
        Repair first = keyed.consumeRepairPart(part).getRepair();
        // its answer lost, the technician's client sends it again with the same key
        Repair again = keyed.consumeRepairPart(part).getRepair();
        assertThat(again).isEqualTo(first);
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from stock_movement where kind = 'CONSUMPTION'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        GrpcAssertions.assertStatus(
                () -> keyed.consumeRepairPart(part.toBuilder().setQuantity(2).build()),
                Status.Code.INVALID_ARGUMENT,
                "was used already with another request");
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(2);
    }

    @Test
    void fittingSparePartsComeFromTheRepairsDepotAndRefusedOnesLeaveNoTrace() {
        Repair opened = open(technician, X5);
        var part = ConsumeRepairPartRequest.newBuilder().setRepairId(opened.getId());
        Repair withPart = technician
                .consumeRepairPart(
                        part.clone().setItemCode("SP-SCREEN-X5").setQuantity(2).build())
                .getRepair();
        assertThat(withPart.getPartsList())
                .extracting(p -> p.getItemCode() + "x" + p.getQuantity())
                .containsExactly("SP-SCREEN-X5x2");
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(1);
        assertThat(jdbc.sql("select reference from stock_movement where kind = 'CONSUMPTION'")
                        .query(String.class)
                        .single())
                .isEqualTo("repair " + opened.getId());
        GrpcAssertions.assertStatus(
                () -> technician.consumeRepairPart(
                        part.clone().setItemCode("SP-SCREEN-X5").setQuantity(2).build()),
                Status.Code.FAILED_PRECONDITION,
                "only 1 of SP-SCREEN-X5 in DEP-RENNES");
        GrpcAssertions.assertStatus(
                () -> technician.consumeRepairPart(part.clone()
                        .setItemCode("SP-SCREEN-TAB10")
                        .setQuantity(1)
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "SP-SCREEN-TAB10 does not fit Rugged X5");
        GrpcAssertions.assertStatus(
                () -> technician.consumeRepairPart(
                        part.clone().setItemCode("CASE-X5").setQuantity(1).build()),
                Status.Code.INVALID_ARGUMENT,
                "not a spare part");
        // refused parts leave neither a part row nor a movement
        assertThat(jdbc.sql("select count(*) from repair_part")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(1);
    }

    /**
     * A part fits the models whose name one of its {@code fitsModels} starts, as inventory writes models: plain
     * spaces only, none first, no invisible character. A lookalike name (a no-break, thin or zero-width space, a
     * word joiner, a space first) fits no model: its parts sit in stock and every repair is told they do not fit.
     */
    @Test
    void aPartFittingANameNoModelCanBeginWithIsRefusedSoEveryPartInStockFitsARealModel() {
        for (String lookalike :
                List.of("Rugged\u00a0X", "Rugged X\u200b", "\u2060Rugged X", " Rugged X", "Rugged\u2009X5")) {
            GrpcAssertions.assertStatus(
                    () -> fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                            .setItem(CatalogueItem.newBuilder()
                                    .setCode("SP-BATTERY-X5")
                                    .setLabel("Batterie Rugged X5")
                                    .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                                    .addFitsModels("Field Tab 10")
                                    .addFitsModels(lookalike))
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "item.fits_models");
        }
        assertThat(jdbc.sql("select count(*) from catalogue_item where code = 'SP-BATTERY-X5'")
                        .query(Long.class)
                        .single())
                .isZero();
        // written as inventory writes the model, the part is created, received and fitted in a Rugged X5 repair
        fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                .setItem(CatalogueItem.newBuilder()
                        .setCode("SP-BATTERY-X5")
                        .setLabel("Batterie Rugged X5")
                        .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                        .addFitsModels("Rugged X"))
                .build());
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("SP-BATTERY-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(1)
                .build());
        Repair opened = open(technician, X5);
        assertThat(technician
                        .consumeRepairPart(ConsumeRepairPartRequest.newBuilder()
                                .setRepairId(opened.getId())
                                .setItemCode("SP-BATTERY-X5")
                                .setQuantity(1)
                                .build())
                        .getRepair()
                        .getPartsList())
                .extracting(p -> p.getItemCode() + "x" + p.getQuantity())
                .containsExactly("SP-BATTERY-X5x1");
        assertThat(stock("SP-BATTERY-X5")).isZero();
    }

    @Test
    void closingAsRepairedNeedsADiagnosisGivesTheDeviceBackAndIsFinal() {
        Repair opened = open(technician, X5);
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, ""),
                Status.Code.INVALID_ARGUMENT,
                "diagnosis");
        Repair closed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced");
        assertThat(closed.getState()).isEqualTo(RepairState.REPAIR_STATE_REPAIRED);
        assertThat(closed.getClosedBy()).isEqualTo("technician");
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(calls).filteredOn(c -> c.startsWith("order/")).isEmpty();
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "again"),
                Status.Code.FAILED_PRECONDITION,
                "is REPAIRED; it is closed");
    }

    @Test
    void aFailedRepairRequestsAnExchangeOnceAndSendsTheDeviceBackEvenWhenTheCloseIsInterrupted() {
        Repair opened = open(technician, X5);
        // inventory goes away just as the device is to go PENDING_RETURN (the call and its one retry)
        inventoryFailuresToInject.set(2);
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"),
                Status.Code.UNAVAILABLE,
                "inventory is unavailable: the repair stays open");
        assertThat(state(technician, opened.getId())).isEqualTo(RepairState.REPAIR_STATE_OPEN);
        assertThat(exchangesByKey).hasSize(1);

        Repair failed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead");
        assertThat(failed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_PENDING_RETURN);
        // asked twice under one key: one exchange request, the one recorded on the repair
        assertThat(exchangesByKey).hasSize(1);
        ExchangeRequest exchange = exchangesByKey.values().iterator().next();
        assertThat(failed.getExchangeRequestNumber()).isEqualTo(exchange.getNumber());
        assertThat(exchange.getImei()).isEqualTo(X5);
        assertThat(exchange.getModel()).isEqualTo("Rugged X5");
        assertThat(exchange.getReason()).isEqualTo("mainboard dead");
        assertThat(exchange.getRepairReference()).isEqualTo(opened.getId());
        assertThat(calls)
                .contains("order/RequestDeviceExchange by technician", "inventory/EndDeviceRepair by technician");
        assertThat(failReasons).containsExactly("repair " + opened.getId() + " failed: mainboard dead");
    }

    @Test
    void aFailedCloseWhoseAnswerWasLostIsFinishedEvenOnceTheDeviceWasExchangedAndReturned() {
        Repair opened = open(technician, X5);
        // inventory sent the device PENDING_RETURN, then its answer was lost (the call and its one retry)
        inventoryAnswersToLose.set(2);
        GrpcAssertions.assertCode(
                Status.Code.UNAVAILABLE,
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"));
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(exchangesByKey).hasSize(1);
        // before anyone repeats the close, the supplier's replacement is exchanged in and the device given back
        states.put(X5, DeviceState.DEVICE_STATE_RETURNED);
        spares.add(X5); // exchanged out: inventory shows it in no running pack any more

        Repair failed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead");
        assertThat(failed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
        assertThat(exchangesByKey).hasSize(1);
        assertThat(failed.getExchangeRequestNumber())
                .isEqualTo(exchangesByKey.values().iterator().next().getNumber());
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_RETURNED);
        assertThat(failReasons).containsExactly("repair " + opened.getId() + " failed: mainboard dead");
        // a repair never begun is still refused as failed for a returned device
        String other = "352990110000037";
        states.put(other, DeviceState.DEVICE_STATE_ASSIGNED);
        models.put(other, "Rugged X5");
        Repair second = open(technician, other);
        states.put(other, DeviceState.DEVICE_STATE_RETURNED);
        GrpcAssertions.assertStatus(
                () -> close(second.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"),
                Status.Code.FAILED_PRECONDITION,
                "is RETURNED in inventory; the repair cannot be closed as failed");
    }

    @Test
    void aCloseInterruptedAfterItsExchangeWasAskedIsFinishedAsFailedNeverTurnedRepaired() {
        Repair opened = open(technician, X5);
        inventoryFailuresToInject.set(2); // the exchange is asked, then inventory is unreachable
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"),
                Status.Code.UNAVAILABLE,
                "the repair stays open");
        assertThat(exchangesByKey).hasSize(1);
        // the supplier is sending a replacement: the device cannot now be declared repaired
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "works after all"),
                Status.Code.FAILED_PRECONDITION,
                "is being closed as FAILED; repeat that close to finish it");
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_IN_REPAIR);
        Repair failed = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead");
        assertThat(failed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
        assertThat(failed.getExchangeRequestNumber())
                .isEqualTo(exchangesByKey.values().iterator().next().getNumber());
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_PENDING_RETURN);
    }

    @Test
    void twoClosesAtOnceWithOppositeOutcomesCarryOutOneOfThem() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 12; round++) {
                states.put(X5, DeviceState.DEVICE_STATE_ASSIGNED);
                Repair opened = open(technician, X5);
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<Future<String>> closes = new ArrayList<>();
                for (RepairOutcome outcome :
                        List.of(RepairOutcome.REPAIR_OUTCOME_FAILED, RepairOutcome.REPAIR_OUTCOME_REPAIRED)) {
                    closes.add(pool.submit(() -> {
                        together.await();
                        try {
                            return close(opened.getId(), outcome, "diagnosed")
                                    .getState()
                                    .name();
                        } catch (StatusRuntimeException e) {
                            return e.getStatus().getCode().name();
                        }
                    }));
                }
                List<String> answers = new ArrayList<>();
                for (Future<String> f : closes) {
                    answers.add(f.get());
                }
                Repair closed = technician
                        .getRepair(GetRepairRequest.newBuilder()
                                .setId(opened.getId())
                                .build())
                        .getRepair();
                List<ExchangeRequest> asked = exchangesByKey.values().stream()
                        .filter(e -> e.getRepairReference().equals(opened.getId()))
                        .toList();
                // one outcome, carried out whole: never an exchange for a device declared repaired
                assertThat(answers)
                        .as("round " + round)
                        .contains(closed.getState().name());
                if (closed.getState() == RepairState.REPAIR_STATE_REPAIRED) {
                    assertThat(asked)
                            .as("round " + round + ": exchanges of a repaired device")
                            .isEmpty();
                    assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED);
                } else {
                    assertThat(closed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
                    assertThat(asked).hasSize(1);
                    assertThat(closed.getExchangeRequestNumber())
                            .isEqualTo(asked.get(0).getNumber());
                    assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_PENDING_RETURN);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void inventoryHoldsTheDeviceUnderItsRepairAndOnlyTheRepairsCloseReleasesItEvenWhenInterrupted() {
        // an earlier open reached inventory but was never recorded here: the device is under RP-999999
        states.put(X5, DeviceState.DEVICE_STATE_IN_REPAIR);
        underRepair.put(X5, "RP-999999");
        Repair opened = open(technician, X5);
        assertThat(underRepair).containsEntry(X5, opened.getId());

        // inventory ends the repair but its answer is lost: the repair stays open, a repeat closes it
        inventoryAnswersToLose.set(2); // the call and its one retry
        GrpcAssertions.assertStatus(
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced"),
                Status.Code.UNAVAILABLE,
                "the repair stays open");
        assertThat(state(technician, opened.getId())).isEqualTo(RepairState.REPAIR_STATE_OPEN);
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED);
        // the repeat cannot turn it into another outcome than inventory recorded
        GrpcAssertions.assertCode(
                Status.Code.FAILED_PRECONDITION,
                () -> close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"));
        assertThat(close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced")
                        .getState())
                .isEqualTo(RepairState.REPAIR_STATE_REPAIRED);
        assertThat(underRepair).doesNotContainKey(X5);

        // a repair opened before inventory recorded repairs (the device under none): taken, then released
        Repair legacy = open(technician, X5);
        underRepair.remove(X5);
        assertThat(close(legacy.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "ok")
                        .getState())
                .isEqualTo(RepairState.REPAIR_STATE_REPAIRED);
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED);
        // a repair whose device is under another one (inventory says so) is not closed
        Repair third = open(technician, X5);
        underRepair.put(X5, "RP-888888");
        GrpcAssertions.assertStatus(
                () -> close(third.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "ok"),
                Status.Code.FAILED_PRECONDITION,
                "is not under repair " + third.getId());
        assertThat(state(technician, third.getId())).isEqualTo(RepairState.REPAIR_STATE_OPEN);
    }

    @Test
    void aRepairWhoseDeviceIsDeclaredLostOrStolenMeanwhileStillClosesEitherWay() {
        for (RepairOutcome outcome :
                List.of(RepairOutcome.REPAIR_OUTCOME_REPAIRED, RepairOutcome.REPAIR_OUTCOME_FAILED)) {
            DeviceState loss = outcome == RepairOutcome.REPAIR_OUTCOME_REPAIRED
                    ? DeviceState.DEVICE_STATE_STOLEN
                    : DeviceState.DEVICE_STATE_LOST;
            states.put(X5, DeviceState.DEVICE_STATE_ASSIGNED);
            Repair opened = open(technician, X5);
            // declared lost or stolen in inventory (never refused, rule 11): still under the repair there
            states.put(X5, loss);
            assertThat(underRepair).containsEntry(X5, opened.getId());

            Repair closed = close(opened.getId(), outcome, "mainboard dead");
            assertThat(closed.getState())
                    .as("%s", outcome)
                    .isEqualTo(
                            outcome == RepairOutcome.REPAIR_OUTCOME_REPAIRED
                                    ? RepairState.REPAIR_STATE_REPAIRED
                                    : RepairState.REPAIR_STATE_FAILED);
            // the device stays lost or stolen, released from the repair
            assertThat(states).containsEntry(X5, loss);
            assertThat(underRepair).doesNotContainKey(X5);
            List<ExchangeRequest> asked = exchangesByKey.values().stream()
                    .filter(e -> e.getRepairReference().equals(opened.getId()))
                    .toList();
            if (outcome == RepairOutcome.REPAIR_OUTCOME_FAILED) {
                // the device is still in its pack: the supplier is asked for its replacement once
                assertThat(asked).hasSize(1);
                assertThat(closed.getExchangeRequestNumber())
                        .isEqualTo(asked.get(0).getNumber());
            } else {
                assertThat(asked).isEmpty();
            }
            GrpcAssertions.assertStatus(
                    () -> close(opened.getId(), outcome, "mainboard dead"),
                    Status.Code.FAILED_PRECONDITION,
                    "it is closed");
        }
    }

    /**
     * The unit manager's list and detail of repairs agree: a repair of a device its unit gave back since (the
     * device RETURNED, still placed at that unit, as inventory's GetDevice shows it) is read and listed alike.
     */
    @Test
    void aUnitManagerListsTheRepairsOfDevicesGivenBackSinceAsItReadsThem() {
        Repair failed = close(open(technician, X5).getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead");
        states.put(X5, DeviceState.DEVICE_STATE_RETURNED); // exchanged, then taken back by the supplier
        var unitManager = clients.as(TestTokens.unitManager("GN-RBRE-GGD35"), AccessoriesServiceGrpc::newBlockingStub);
        Repair read = unitManager
                .getRepair(GetRepairRequest.newBuilder().setId(failed.getId()).build())
                .getRepair();
        assertThat(unitManager
                        .listRepairs(ListRepairsRequest.getDefaultInstance())
                        .getRepairsList())
                .containsExactly(read);
        assertThat(unitManager
                        .listRepairs(ListRepairsRequest.newBuilder().setImei(X5).build())
                        .getRepairsList())
                .containsExactly(read);
    }

    @Test
    void aUnitManagerSeesTheRepairsOfItsSubtreesDevicesOnlyAndNothingOfTheOthers() {
        notCertified.remove("technician|Field Tab 10");
        Repair inside = open(technician, X5);
        Repair outside = open(technician, TAB);
        outsideUnitManager.add(TAB);
        var unitManager = clients.as(TestTokens.unitManager("GN-RBRE-GGD35"), AccessoriesServiceGrpc::newBlockingStub);
        assertThat(unitManager
                        .listRepairs(ListRepairsRequest.getDefaultInstance())
                        .getRepairsList())
                .extracting(Repair::getId)
                .containsExactly(inside.getId());
        assertThat(unitManager
                        .listRepairs(
                                ListRepairsRequest.newBuilder().setImei(TAB).build())
                        .getRepairsList())
                .isEmpty();
        assertThat(unitManager
                        .getRepair(GetRepairRequest.newBuilder()
                                .setId(inside.getId())
                                .build())
                        .getRepair())
                .isEqualTo(technician
                        .getRepair(GetRepairRequest.newBuilder()
                                .setId(inside.getId())
                                .build())
                        .getRepair());
        // a repair of a device outside the subtree is answered as one that does not exist
        GrpcAssertions.assertStatus(
                () -> unitManager.getRepair(
                        GetRepairRequest.newBuilder().setId(outside.getId()).build()),
                Status.Code.NOT_FOUND,
                "no repair " + outside.getId());
        GrpcAssertions.assertStatus(
                () -> unitManager.getRepair(
                        GetRepairRequest.newBuilder().setId("RP-999999").build()),
                Status.Code.NOT_FOUND,
                "no repair RP-999999");
        // paging through the subtree's repairs: each once
        states.put("352990110000037", DeviceState.DEVICE_STATE_IN_STOCK);
        models.put("352990110000037", "Rugged X5");
        Repair again = open(technician, "352990110000037");
        var first = unitManager.listRepairs(
                ListRepairsRequest.newBuilder().setPageSize(1).build());
        var second = unitManager.listRepairs(ListRepairsRequest.newBuilder()
                .setPageSize(1)
                .setPageToken(first.getNextPageToken())
                .build());
        assertThat(second.getNextPageToken()).isEmpty();
        assertThat(List.of(first.getRepairs(0).getId(), second.getRepairs(0).getId()))
                .containsExactly(again.getId(), inside.getId());
        // nor may it act on repairs
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> unitManager.closeRepair(CloseRepairRequest.newBuilder()
                        .setRepairId(inside.getId())
                        .setOutcome(RepairOutcome.REPAIR_OUTCOME_REPAIRED)
                        .setDiagnosis("x")
                        .build()));
    }

    @Test
    void aTechnicianSeesItsOwnRepairsAndOnlyDevicesInventoryLetsItSee() {
        Repair mine = open(technician, X5);
        var other = clients.as(
                TestTokens.user("other.technician", "technician", "GN-RIDF"), AccessoriesServiceGrpc::newBlockingStub);
        assertThat(other.listRepairs(ListRepairsRequest.getDefaultInstance()).getRepairsList())
                .isEmpty();
        assertThat(fleetManager
                        .listRepairs(ListRepairsRequest.newBuilder().setImei(X5).build())
                        .getRepairsList())
                .extracting(Repair::getId)
                .containsExactly(mine.getId());
        assertThat(clients.as(TestTokens.auditor(), AccessoriesServiceGrpc::newBlockingStub)
                        .listRepairs(ListRepairsRequest.newBuilder()
                                .setState(RepairState.REPAIR_STATE_OPEN)
                                .build())
                        .getRepairsCount())
                .isEqualTo(1);
        hidden.add(X5); // inventory says: not yours
        GrpcAssertions.assertCode(
                Status.Code.NOT_FOUND,
                () -> other.getRepair(
                        GetRepairRequest.newBuilder().setId(mine.getId()).build()));
        GrpcAssertions.assertCode(
                Status.Code.NOT_FOUND,
                () -> other.closeRepair(CloseRepairRequest.newBuilder()
                        .setRepairId(mine.getId())
                        .setOutcome(RepairOutcome.REPAIR_OUTCOME_REPAIRED)
                        .setDiagnosis("x")
                        .build()));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> clients.as(TestTokens.auditor(), AccessoriesServiceGrpc::newBlockingStub)
                        .closeRepair(CloseRepairRequest.newBuilder()
                                .setRepairId(mine.getId())
                                .setOutcome(RepairOutcome.REPAIR_OUTCOME_REPAIRED)
                                .setDiagnosis("x")
                                .build()));
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_IN_REPAIR);
    }

    @Test
    void aTechnicianOutsideTheDevicesReachLearnsNothingOfItsRepairsWhateverItDoes() {
        // a closed repair of the X5, an open one of the tablet (by a technician certified for it)
        Repair closed = open(technician, X5);
        close(closed.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced");
        var tabTechnician = clients.as(
                TestTokens.user("tab.technician", "technician", "GN-RBRE"), AccessoriesServiceGrpc::newBlockingStub);
        Repair opened = open(tabTechnician, TAB);
        // a technician of another region, certified for neither model: inventory shows it neither device
        var other = clients.as(
                TestTokens.user("other.technician", "technician", "GN-RIDF"), AccessoriesServiceGrpc::newBlockingStub);
        notCertified.put("other.technician|Field Tab 10", "other.technician holds no certification for Field Tab 10");
        notCertified.put("other.technician|Rugged X5", "other.technician holds no certification for Rugged X5");
        hidden.add(X5);
        hidden.add(TAB);
        List<String> answers = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (Repair r : List.of(closed, opened)) {
            Map<String, Runnable> calls = new java.util.LinkedHashMap<>();
            calls.put(
                    "get",
                    () -> other.getRepair(
                            GetRepairRequest.newBuilder().setId(r.getId()).build()));
            calls.put(
                    "close",
                    () -> other.closeRepair(CloseRepairRequest.newBuilder()
                            .setRepairId(r.getId())
                            .setOutcome(RepairOutcome.REPAIR_OUTCOME_FAILED)
                            .setDiagnosis("x")
                            .build()));
            calls.put(
                    "consume",
                    () -> other.consumeRepairPart(ConsumeRepairPartRequest.newBuilder()
                            .setRepairId(r.getId())
                            .setItemCode("SP-SCREEN-TAB10")
                            .setQuantity(1)
                            .build()));
            calls.forEach((name, call) -> {
                var e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, call::run);
                answers.add(name + " " + r.getId() + ": " + e.getStatus().getCode() + " "
                        + e.getStatus().getDescription());
                // as for a repair that does not exist: neither its state, nor its model, nor its device
                expected.add(name + " " + r.getId() + ": NOT_FOUND no repair " + r.getId());
            });
        }
        assertThat(answers).containsExactlyElementsOf(expected);
        // nothing changed: the tablet is still under its repair, open for the technician who sees it
        hidden.clear();
        assertThat(states).containsEntry(TAB, DeviceState.DEVICE_STATE_IN_REPAIR);
        assertThat(state(tabTechnician, opened.getId())).isEqualTo(RepairState.REPAIR_STATE_OPEN);
    }

    @Test
    void anAlertBecomesOneReplenishmentDraftOrderAtTheAgreementsItemCode() {
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode("CASE-X5")
                .setMinimum(10)
                .build());
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("CASE-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(4)
                .build());
        StockAlert alert =
                fleetManager.listStockAlerts(ListStockAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .filter(a -> a.getItemCode().equals("CASE-X5"))
                        .findFirst()
                        .orElseThrow();
        var propose = ProposeReplenishmentRequest.newBuilder()
                .setAlertId(alert.getId())
                .setAgreementId("AC-2026-NEOGEND");
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED, () -> technician.proposeReplenishment(propose.build()));
        GrpcAssertions.assertStatus(
                () -> fleetManager.proposeReplenishment(
                        propose.clone().clearAgreementId().build()),
                Status.Code.INVALID_ARGUMENT,
                "agreement_id");

        StockAlert proposed = fleetManager.proposeReplenishment(propose.build()).getAlert();
        assertThat(proposed.getDraftOrderNumber()).isNotEmpty();
        PurchaseOrder draft = draftOf(alert);
        assertThat(draft.getAgreementId()).isEqualTo("AC-2026-NEOGEND");
        assertThat(draft.getDeliverySite()).isEqualTo("Atelier de Rennes");
        assertThat(draft.getLines(0).getItemCode()).isEqualTo("ACC-CASE-RUGGED"); // the agreement's code
        assertThat(draft.getLines(0).getQuantity()).isEqualTo(16); // back to twice the minimum: 2 x 10 - 4
        assertThat(calls).contains("order/CreatePurchaseOrder by fleet.manager");
        // a repeat, even asking for another quantity, answers with the draft already proposed
        assertThat(fleetManager
                        .proposeReplenishment(propose.clone().setQuantity(3).build())
                        .getAlert())
                .isEqualTo(proposed);
        assertThat(draftsByKey).hasSize(1);
        assertThat(calls)
                .filteredOn(c -> c.startsWith("order/CreatePurchaseOrder"))
                .hasSize(1);
        assertThat(fleetManager
                        .listStockAlerts(ListStockAlertsRequest.getDefaultInstance())
                        .getAlertsList())
                .filteredOn(a -> a.getId() == alert.getId())
                .extracting(StockAlert::getDraftOrderNumber)
                .containsExactly(proposed.getDraftOrderNumber());
        assertThat(fleetManager
                        .listCatalogueItems(ListCatalogueItemsRequest.getDefaultInstance())
                        .getItemsList())
                .extracting(CatalogueItem::getCode, CatalogueItem::getAgreementItemCode)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("CASE-X5", "ACC-CASE-RUGGED"),
                        org.assertj.core.groups.Tuple.tuple("SP-SCREEN-X5", "SP-SCREEN-X5"));

        // the stock climbs back: that alert, were it never proposed, is cleared and cannot be proposed any more
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("CASE-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(20)
                .build());
        jdbc.sql("update stock_alert set draft_order_number = null").update();
        jdbc.sql("delete from replenishment_proposal").update();
        GrpcAssertions.assertStatus(
                () -> fleetManager.proposeReplenishment(propose.build()),
                Status.Code.FAILED_PRECONDITION,
                "is cleared");
    }

    @Test
    void aMinimumIsOneAReplenishmentCanBringTheStockBackToTwiceOf() {
        var minimum =
                SetMinimumLevelRequest.newBuilder().setDepotCode("DEP-RENNES").setItemCode("CASE-X5");
        // twice this minimum is no quantity at all: accepted, its draft would have to be for 2^64 - 2 units
        Throwable huge = org.assertj.core.api.Assertions.catchThrowable(() -> fleetManager.setMinimumLevel(
                minimum.clone().setMinimum(Long.MAX_VALUE).build()));
        if (huge == null) {
            assertThat(draftFor("CASE-X5"))
                    .as("the default draft for a minimum of " + Long.MAX_VALUE + " and a stock of 0")
                    .isEqualTo(java.math.BigInteger.valueOf(Long.MAX_VALUE).shiftLeft(1));
        }
        assertThat(huge).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) huge).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(huge).hasMessageContaining("minimum");
        GrpcAssertions.assertStatus(
                () -> fleetManager.setMinimumLevel(
                        minimum.clone().setMinimum(500_001).build()),
                Status.Code.INVALID_ARGUMENT,
                "minimum");
        assertThat(fleetManager
                        .listStockAlerts(ListStockAlertsRequest.getDefaultInstance())
                        .getAlertsList())
                .isEmpty();
        // at the top of the range: the draft brings the stock back to twice the minimum, a quantity one may order
        fleetManager.setMinimumLevel(minimum.clone().setMinimum(500_000).build());
        assertThat(draftFor("CASE-X5")).isEqualTo(java.math.BigInteger.valueOf(1_000_000));
    }

    /** Proposes the draft for the item's open alert (on the agreement of the tests) and returns its quantity. */
    java.math.BigInteger draftFor(String item) {
        StockAlert alert =
                fleetManager.listStockAlerts(ListStockAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .filter(a -> a.getItemCode().equals(item))
                        .findFirst()
                        .orElseThrow();
        fleetManager.proposeReplenishment(ProposeReplenishmentRequest.newBuilder()
                .setAlertId(alert.getId())
                .setAgreementId("AC-2026-NEOGEND")
                .build());
        return java.math.BigInteger.valueOf(draftOf(alert).getLines(0).getQuantity());
    }

    Repair consume(String repairId, long quantity) {
        return technician
                .consumeRepairPart(ConsumeRepairPartRequest.newBuilder()
                        .setRepairId(repairId)
                        .setItemCode("SP-SCREEN-X5")
                        .setQuantity(quantity)
                        .build())
                .getRepair();
    }

    /** Waits (at most a minute) until the database shows {@code n} sessions waiting for a lock. */
    void awaitWaitingForALock(int n, Future<?> orDone) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!orDone.isDone()
                && jdbc.sql("select count(*) from pg_locks where not granted")
                                .query(Long.class)
                                .single()
                        < n) {
            assertThat(System.nanoTime())
                    .as("%d sessions waiting for a lock", n)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void anOpenRepeatedWhileTheFirstIsStuckAtInventoryEndsWithOneRepairTheDeviceIsUnder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var arrived = new java.util.concurrent.CountDownLatch(1);
            var goOn = new java.util.concurrent.CountDownLatch(1);
            nextStartHeld.set(new java.util.concurrent.CountDownLatch[] {arrived, goOn});
            // the first open reaches inventory and hangs there; it will take the device, then lose its answers
            // (the call and its one retry)
            inventoryStartAnswersToLose.set(2);
            java.util.concurrent.Callable<String> opening = () -> {
                try {
                    return open(technician, X5).getId();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                }
            };
            Future<String> first = pool.submit(opening);
            assertThat(arrived.await(1, TimeUnit.MINUTES)).isTrue();
            // the technician's client gave up waiting and sends the open again: it waits behind the first
            Future<String> repeat = pool.submit(opening);
            awaitWaitingForALock(1, repeat);
            goOn.countDown();
            String firstAnswer = first.get(1, TimeUnit.MINUTES);
            String repeatAnswer = repeat.get(1, TimeUnit.MINUTES);

            assertThat(firstAnswer).startsWith("UNAVAILABLE");
            List<String> open = jdbc.sql("select id from repair where imei = ? and state = 'OPEN'")
                    .param(X5)
                    .query(String.class)
                    .list();
            // what one successful open makes: one open repair, the device under it in inventory, the repeat
            // answered with it
            assertThat(open)
                    .as("open repairs (the repeat answered %s)", repeatAnswer)
                    .hasSize(1);
            assertThat(repeatAnswer).isEqualTo(open.get(0));
            assertThat(underRepair).containsEntry(X5, open.get(0));
            assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_IN_REPAIR);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedCloseRepeatedWhileTheFirstIsStuckAtTheOrderServiceAsksOneExchangeAndEndsTheRepairOnce()
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            Repair opened = open(technician, X5);
            var arrived = new java.util.concurrent.CountDownLatch(1);
            var goOn = new java.util.concurrent.CountDownLatch(1);
            nextExchangeHeld.set(new java.util.concurrent.CountDownLatch[] {arrived, goOn});
            Future<String> first = pool.submit(() -> {
                try {
                    return close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead")
                            .getState()
                            .name();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            });
            assertThat(arrived.await(1, TimeUnit.MINUTES)).isTrue();
            // the technician's client gave up on the first close and sends it again: it goes through meanwhile
            Repair repeat = close(opened.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead");
            goOn.countDown();
            String firstAnswer = first.get(1, TimeUnit.MINUTES);

            assertThat(repeat.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
            assertThat(firstAnswer).isIn("REPAIR_STATE_FAILED", "ABORTED");
            Repair closed = technician
                    .getRepair(
                            GetRepairRequest.newBuilder().setId(opened.getId()).build())
                    .getRepair();
            assertThat(closed.getState()).isEqualTo(RepairState.REPAIR_STATE_FAILED);
            assertThat(exchangesByKey).hasSize(1);
            assertThat(closed.getExchangeRequestNumber())
                    .isEqualTo(exchangesByKey.values().iterator().next().getNumber());
            assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_PENDING_RETURN);
            assertThat(underRepair).doesNotContainKey(X5);
            assertThat(failReasons).containsExactly("repair " + opened.getId() + " failed: mainboard dead");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConsumptionRepeatedWithItsKeyWhileTheFirstIsStuckTakesThePartOnce() throws Exception {
        Repair opened = open(technician, X5);
        var keyed = withKey(technician, "consume-" + opened.getId() + "-stuck");
        var part = oneScreen(opened);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            var arrived = new java.util.concurrent.CountDownLatch(1);
            var goOn = new java.util.concurrent.CountDownLatch(1);
            nextCheckHeld.set(new java.util.concurrent.CountDownLatch[] {arrived, goOn});
            Future<String> first = pool.submit(() -> {
                try {
                    return "OK " + keyed.consumeRepairPart(part).getRepair().getPartsCount();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            });
            assertThat(arrived.await(1, TimeUnit.MINUTES)).isTrue();
            // the first waits on training's check; the client gave up and sends it again, same key
            String repeat;
            try {
                repeat = "OK " + keyed.consumeRepairPart(part).getRepair().getPartsCount();
            } catch (StatusRuntimeException e) {
                repeat = e.getStatus().getCode().name();
            }
            goOn.countDown();
            String firstAnswer = first.get(1, TimeUnit.MINUTES);
            // and once more after both are over
            String third = "OK " + keyed.consumeRepairPart(part).getRepair().getPartsCount();
            assertThat(List.of(firstAnswer, repeat, third)).as("answers").doesNotContain("OK 2");
            assertThat(third).isEqualTo("OK 1");
        } finally {
            pool.shutdownNow();
        }
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from stock_movement where kind = 'CONSUMPTION' and repair_id = ?")
                        .param(opened.getId())
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aConsumptionStillBeingRecordedWhenAPageIsReadIsOnTheNextPagesNeverSkipped() throws Exception {
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("CASE-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(5)
                .build());
        Repair opened = open(technician, X5);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<Repair> consumed;
        Future<?> issued;
        String token;
        List<Long> listed = new ArrayList<>();
        try (java.sql.Connection held = dataSource.getConnection()) {
            // the consumption's movement is written, its part row waits: its transaction has not committed yet
            held.setAutoCommit(false);
            held.createStatement().execute("lock table repair_part in exclusive mode");
            consumed = pool.submit(() -> consume(opened.getId(), 1));
            awaitWaitingForALock(1, consumed);
            // meanwhile two cases are issued from the same depot
            issued = pool.submit(() -> {
                for (int i = 0; i < 2; i++) {
                    fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                            .setKind(MovementKind.MOVEMENT_KIND_ISSUE)
                            .setItemCode("CASE-X5")
                            .setDepotCode("DEP-RENNES")
                            .setQuantity(1)
                            .setReference("issued while the consumption is recorded")
                            .build());
                }
            });
            awaitWaitingForALock(2, issued);
            // a fleet manager reads the depot's ledger: a first page, one row short of what it can see
            long visible = jdbc.sql("select count(*) from stock_movement")
                    .query(Long.class)
                    .single();
            var page = fleetManager.listStockMovements(ListStockMovementsRequest.newBuilder()
                    .setDepotCode("DEP-RENNES")
                    .setPageSize((int) visible - 1)
                    .build());
            page.getMovementsList().forEach(m -> listed.add(m.getId()));
            token = page.getNextPageToken();
            assertThat(token).isNotEmpty();
            held.commit();
        }
        try {
            assertThat(consumed.get(1, TimeUnit.MINUTES).getPartsList()).hasSize(1);
            issued.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        // the next pages, read once everything is recorded
        while (!token.isEmpty()) {
            var page = fleetManager.listStockMovements(ListStockMovementsRequest.newBuilder()
                    .setDepotCode("DEP-RENNES")
                    .setPageSize(1)
                    .setPageToken(token)
                    .build());
            page.getMovementsList().forEach(m -> listed.add(m.getId()));
            token = page.getNextPageToken();
        }
        List<Long> recorded = jdbc.sql("select id from stock_movement order by id")
                .query(Long.class)
                .list();
        assertThat(recorded).hasSize(5);
        assertThat(listed).as("the movements the pages listed").containsExactlyElementsOf(recorded);
    }

    @Test
    void noPartIsConsumedInARepairWhoseCloseHasStarted() {
        // closed as repaired in inventory (the device is back with its holder), the answer lost: still open here
        Repair repaired = open(technician, X5);
        inventoryAnswersToLose.set(2); // the call and its one retry
        GrpcAssertions.assertStatus(
                () -> close(repaired.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced"),
                Status.Code.UNAVAILABLE,
                "the repair stays open");
        assertThat(states).containsEntry(X5, DeviceState.DEVICE_STATE_ASSIGNED);
        GrpcAssertions.assertStatus(
                () -> consume(repaired.getId(), 1), Status.Code.FAILED_PRECONDITION, "is being closed as REPAIRED");
        assertThat(close(repaired.getId(), RepairOutcome.REPAIR_OUTCOME_REPAIRED, "screen replaced")
                        .getPartsList())
                .isEmpty();

        // closed as failed: the supplier was asked for an exchange, then inventory was unreachable
        Repair failed = open(technician, X5);
        inventoryFailuresToInject.set(2);
        GrpcAssertions.assertStatus(
                () -> close(failed.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead"),
                Status.Code.UNAVAILABLE,
                "the repair stays open");
        assertThat(exchangesByKey).hasSize(1);
        GrpcAssertions.assertStatus(
                () -> consume(failed.getId(), 2), Status.Code.FAILED_PRECONDITION, "is being closed as FAILED");
        assertThat(close(failed.getId(), RepairOutcome.REPAIR_OUTCOME_FAILED, "mainboard dead")
                        .getPartsList())
                .isEmpty();

        // no part left the depot for either, no movement was recorded
        assertThat(stock("SP-SCREEN-X5")).isEqualTo(3);
        assertThat(jdbc.sql("select count(*) from stock_movement where kind = 'CONSUMPTION'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void eightConcurrentProposalsOfOneAlertMakeOneDraftAndAllGetTheSameAnswer() throws Exception {
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode("CASE-X5")
                .setMinimum(5)
                .build());
        StockAlert alert =
                fleetManager.listStockAlerts(ListStockAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .filter(a -> a.getItemCode().equals("CASE-X5"))
                        .findFirst()
                        .orElseThrow();
        var propose = ProposeReplenishmentRequest.newBuilder()
                .setAlertId(alert.getId())
                .setAgreementId("AC-2026-NEOGEND")
                .build();
        var start = new java.util.concurrent.CountDownLatch(1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<StockAlert>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return fleetManager.proposeReplenishment(propose).getAlert();
                }));
            }
            start.countDown();
            List<StockAlert> got = new java.util.ArrayList<>();
            for (var a : answers) {
                got.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(got).hasSize(8).allSatisfy(a -> assertThat(a).isEqualTo(got.get(0)));
            assertThat(got.get(0).getDraftOrderNumber()).isNotEmpty();
        } finally {
            pool.shutdownNow();
        }
        // the order service was asked once: one draft, the one every caller was told
        assertThat(calls)
                .filteredOn(c -> c.startsWith("order/CreatePurchaseOrder"))
                .hasSize(1);
        assertThat(draftsByKey).hasSize(1);
        assertThat(jdbc.sql("select draft_order_number from stock_alert where id = ?")
                        .param(alert.getId())
                        .query(String.class)
                        .single())
                .isEqualTo(draftsByKey.values().iterator().next().getNumber());
    }

    /** The draft order accessories asked for an alert, under its key in accessories' own scope. */
    PurchaseOrder draftOf(StockAlert alert) {
        return draftsByKey.get("peer:neogend-accessories|stock-alert-" + alert.getId());
    }

    /** Another fleet manager of the same reach. */
    AccessoriesServiceBlockingStub secondFleetManager() {
        return clients.as(
                TestTokens.user("fleet.manager.deux", "fleet-manager", "GN"), AccessoriesServiceGrpc::newBlockingStub);
    }

    /** A replenishment of the alert under the demo agreement, defaults otherwise. */
    static ProposeReplenishmentRequest.Builder proposal(StockAlert alert) {
        return ProposeReplenishmentRequest.newBuilder()
                .setAlertId(alert.getId())
                .setAgreementId("AC-2026-NEOGEND");
    }

    StockAlert alertFor(String item, long minimum) {
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode(item)
                .setMinimum(minimum)
                .build());
        return fleetManager.listStockAlerts(ListStockAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                .filter(a -> a.getItemCode().equals(item))
                .findFirst()
                .orElseThrow();
    }

    /**
     * The order service made the draft but its answer was lost; a second fleet manager proposes the same
     * alert. Order keeps Idempotency-Keys per client: a key sent on each user's behalf alone was a new key
     * for the second, and a second draft of one alert was made.
     */
    @Test
    void aDraftWhoseAnswerWasLostIsTheOneASecondFleetManagerIsGivenNeverASecondDraft() {
        StockAlert alert = alertFor("CASE-X5", 5);
        var propose = proposal(alert).build();
        var secondManager = secondFleetManager();
        orderAnswersToLose.set(2); // the call and the channel's own retry: the draft is made, both answers lost
        GrpcAssertions.assertCode(Status.Code.UNAVAILABLE, () -> fleetManager.proposeReplenishment(propose));
        assertThat(new java.util.HashSet<>(draftsByKey.values())).hasSize(1);

        StockAlert bySecond = secondManager
                .proposeReplenishment(propose.toBuilder().setQuantity(7).build())
                .getAlert();
        assertThat(new java.util.HashSet<>(draftsByKey.values()))
                .as("one alert, one draft")
                .hasSize(1);
        assertThat(bySecond.getDraftOrderNumber()).isEqualTo(draftOf(alert).getNumber());
        // the first fleet manager repeating is given the same draft, and so is anyone after
        assertThat(fleetManager.proposeReplenishment(propose).getAlert()).isEqualTo(bySecond);
        assertThat(secondManager.proposeReplenishment(propose).getAlert()).isEqualTo(bySecond);
        assertThat(new java.util.HashSet<>(draftsByKey.values())).hasSize(1);
        assertThat(draftOf(alert).getLines(0).getQuantity())
                .as("the draft of the first proposal: twice the minimum, not the 7 the second asked")
                .isEqualTo(10);
    }

    /**
     * The order service made the draft but its answer was lost; before anyone proposes again, stock comes in and
     * clears the alert. The repeat is still given the draft the lost call made, as one successful call would have
     * left it recorded on the alert.
     */
    @Test
    void aDraftWhoseAnswerWasLostIsStillGivenOnceTheAlertHasCleared() {
        StockAlert alert = alertFor("CASE-X5", 5);
        var propose = proposal(alert).build();
        orderAnswersToLose.set(2); // the call and the channel's own retry: the draft is made, both answers lost
        GrpcAssertions.assertCode(Status.Code.UNAVAILABLE, () -> fleetManager.proposeReplenishment(propose));
        assertThat(new java.util.HashSet<>(draftsByKey.values())).hasSize(1);
        fleetManager.recordStockMovement(RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.MOVEMENT_KIND_RECEIPT)
                .setItemCode("CASE-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(20)
                .build());

        String repeat;
        try {
            repeat = fleetManager.proposeReplenishment(propose).getAlert().getDraftOrderNumber();
        } catch (StatusRuntimeException e) {
            repeat = e.getStatus().getCode() + " " + e.getStatus().getDescription();
        }
        assertThat(repeat).isEqualTo(draftOf(alert).getNumber());
        assertThat(new java.util.HashSet<>(draftsByKey.values()))
                .as("one alert, one draft")
                .hasSize(1);
        StockAlert listed =
                fleetManager.listStockAlerts(ListStockAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .filter(a -> a.getId() == alert.getId())
                        .findFirst()
                        .orElse(null);
        if (listed != null) {
            assertThat(listed.getDraftOrderNumber()).isEqualTo(repeat);
        }
    }

    /** The order service could not be reached: no draft was made; the next fleet manager makes the first's one. */
    @Test
    void aProposalThatMadeNoDraftIsMadeOnceWithTheFirstProposalsValuesByTheNextFleetManager() {
        StockAlert alert = alertFor("CASE-X5", 5);
        var propose = proposal(alert).setDeliverySite("Atelier de Brest").build();
        var secondManager = secondFleetManager();
        orderFailuresToInject.set(2);
        GrpcAssertions.assertStatus(
                () -> fleetManager.proposeReplenishment(propose), Status.Code.UNAVAILABLE, "propose again");
        assertThat(draftsByKey).isEmpty();
        StockAlert bySecond = secondManager
                .proposeReplenishment(
                        propose.toBuilder().clearDeliverySite().setQuantity(3).build())
                .getAlert();
        assertThat(draftsByKey).hasSize(1);
        assertThat(bySecond.getDraftOrderNumber()).isEqualTo(draftOf(alert).getNumber());
        assertThat(draftOf(alert).getDeliverySite()).isEqualTo("Atelier de Brest");
        assertThat(draftOf(alert).getLines(0).getQuantity()).isEqualTo(10);
        assertThat(fleetManager.proposeReplenishment(propose).getAlert()).isEqualTo(bySecond);
        assertThat(draftsByKey).hasSize(1);
    }

    /** A proposal the order service refused made no draft: the next one, its values corrected, is the draft. */
    @Test
    void aProposalTheOrderServiceRefusedIsForgottenSoACorrectedOneMakesTheDraft() {
        StockAlert alert = alertFor("CASE-X5", 5);
        GrpcAssertions.assertStatus(
                () -> fleetManager.proposeReplenishment(
                        proposal(alert).setAgreementId("AC-TYPO").build()),
                Status.Code.NOT_FOUND,
                "no agreement AC-TYPO");
        assertThat(draftsByKey).isEmpty();
        StockAlert corrected = secondFleetManager()
                .proposeReplenishment(proposal(alert).setQuantity(4).build())
                .getAlert();
        assertThat(draftOf(alert).getAgreementId()).isEqualTo("AC-2026-NEOGEND");
        assertThat(draftOf(alert).getLines(0).getQuantity()).isEqualTo(4);
        assertThat(corrected.getDraftOrderNumber()).isEqualTo(draftOf(alert).getNumber());
    }

    /** Fleet managers proposing one alert at once: one draft, the one each of them is given. */
    @Test
    void twoFleetManagersProposingOneAlertAtOnceMakeOneDraft() throws Exception {
        StockAlert alert = alertFor("CASE-X5", 5);
        var propose = proposal(alert).build();
        var secondManager = secondFleetManager();
        var start = new java.util.concurrent.CountDownLatch(1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<String> answers = new CopyOnWriteArrayList<>();
        try {
            List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                var as = i % 2 == 0 ? fleetManager : secondManager;
                calls.add(pool.submit(() -> {
                    start.await();
                    answers.add(as.proposeReplenishment(propose).getAlert().getDraftOrderNumber());
                    return null;
                }));
            }
            start.countDown();
            for (var c : calls) {
                c.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(draftsByKey).as("one alert, one draft").hasSize(1);
        assertThat(answers).hasSize(8).containsOnly(draftOf(alert).getNumber());
    }

    // ---- stand-in services ----

    /** Records "service/Method by username" for every call, from the token's preferred_username. */
    private ServerInterceptor recorder(String service) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                String payload = new String(
                        java.util.Base64.getUrlDecoder()
                                .decode(auth.substring(7).split("\\.")[1]),
                        java.nio.charset.StandardCharsets.UTF_8);
                String user = payload.replaceAll(".*\"preferred_username\":\"([^\"]*)\".*", "$1");
                calls.add(service + "/" + call.getMethodDescriptor().getBareMethodName() + " by " + user);
                Metadata.Key<String> key = Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
                String k = headers.get(key);
                return Contexts.interceptCall(
                        Context.current().withValue(KEY, k == null ? "" : k).withValue(USER, user),
                        call,
                        headers,
                        next);
            }
        };
    }

    static final Context.Key<String> KEY = Context.key("idempotency-key");
    static final Context.Key<String> USER = Context.key("user");

    private Server inventory() throws IOException {
        var service = new InventoryServiceGrpc.InventoryServiceImplBase() {
            Device device(String imei) {
                if (!states.containsKey(imei)
                        || hidden.contains(imei)
                        || "unit.manager".equals(USER.get()) && outsideUnitManager.contains(imei)) {
                    throw Status.NOT_FOUND.withDescription("no device " + imei).asRuntimeException();
                }
                return Device.newBuilder()
                        .setImei(imei)
                        .setModel(models.get(imei))
                        .setState(states.get(imei))
                        .setRepairId(underRepair.getOrDefault(imei, ""))
                        .setPackId(spares.contains(imei) ? "" : "PK-" + imei.substring(8))
                        .build();
            }

            void move(String imei, DeviceState from, DeviceState to) {
                if (device(imei).getState() != from) {
                    throw Status.FAILED_PRECONDITION
                            .withDescription("device " + imei + " is " + states.get(imei))
                            .asRuntimeException();
                }
                states.put(imei, to);
            }

            @Override
            public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> out) {
                try {
                    out.onNext(GetDeviceResponse.newBuilder()
                            .setDevice(device(request.getImei()))
                            .build());
                    out.onCompleted();
                } catch (io.grpc.StatusRuntimeException e) {
                    out.onError(e);
                }
            }

            @Override
            public void streamDevicePlacements(
                    StreamDevicePlacementsRequest request, StreamObserver<StreamDevicePlacementsResponse> out) {
                var batch = StreamDevicePlacementsResponse.newBuilder();
                states.keySet().stream()
                        .sorted()
                        .filter(imei -> !hidden.contains(imei)
                                && !("unit.manager".equals(USER.get()) && outsideUnitManager.contains(imei)))
                        // as inventory: a returned device only when asked for
                        .filter(imei ->
                                request.getIncludeReturned() || states.get(imei) != DeviceState.DEVICE_STATE_RETURNED)
                        .forEach(imei -> batch.addPlacements(DevicePlacement.newBuilder()
                                .setImei(imei)
                                .setModel(models.get(imei))
                                .setState(states.get(imei))));
                out.onNext(batch.build());
                out.onCompleted();
            }

            @Override
            public void startDeviceRepair(
                    StartDeviceRepairRequest request, StreamObserver<StartDeviceRepairResponse> out) {
                try {
                    java.util.concurrent.CountDownLatch[] held = nextStartHeld.getAndSet(null);
                    if (held != null) {
                        held[0].countDown();
                        held[1].await(1, TimeUnit.MINUTES);
                    }
                    String imei = request.getImei();
                    synchronized (states) {
                        DeviceState from = device(imei).getState();
                        String under = underRepair.get(imei);
                        if (!request.getRepairId().equals(under)) {
                            if (under != null && !under.equals(request.getReplacesRepairId())) {
                                throw Status.FAILED_PRECONDITION
                                        .withDescription("device " + imei + " is under repair " + under + " already")
                                        .asRuntimeException();
                            }
                            if (from != DeviceState.DEVICE_STATE_IN_REPAIR) {
                                move(
                                        imei,
                                        from == DeviceState.DEVICE_STATE_ASSIGNED
                                                ? from
                                                : DeviceState.DEVICE_STATE_IN_STOCK,
                                        DeviceState.DEVICE_STATE_IN_REPAIR);
                            }
                            underRepair.put(imei, request.getRepairId());
                        }
                    }
                    if (inventoryStartAnswersToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw Status.UNAVAILABLE
                                .withDescription("connection reset")
                                .asRuntimeException();
                    }
                    out.onNext(StartDeviceRepairResponse.newBuilder()
                            .setDevice(device(imei))
                            .build());
                    out.onCompleted();
                } catch (io.grpc.StatusRuntimeException e) {
                    out.onError(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.onError(Status.CANCELLED.asRuntimeException());
                }
            }

            @Override
            public void endDeviceRepair(EndDeviceRepairRequest request, StreamObserver<EndDeviceRepairResponse> out) {
                try {
                    if (inventoryFailuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw Status.UNAVAILABLE
                                .withDescription("connection refused")
                                .asRuntimeException();
                    }
                    String imei = request.getImei();
                    boolean repaired = request.getOutcome() == DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED;
                    String end = request.getRepairId() + " " + request.getOutcome();
                    synchronized (states) {
                        device(imei);
                        if (request.getRepairId().equals(underRepair.get(imei))) {
                            // a device no longer IN_REPAIR (lost or stolen under the repair) is only
                            // released, whatever the outcome
                            boolean inRepair = states.get(imei) == DeviceState.DEVICE_STATE_IN_REPAIR;
                            if (repaired) {
                                if (inRepair) {
                                    move(imei, DeviceState.DEVICE_STATE_IN_REPAIR, DeviceState.DEVICE_STATE_ASSIGNED);
                                }
                            } else {
                                if (inRepair) {
                                    states.put(imei, DeviceState.DEVICE_STATE_PENDING_RETURN);
                                }
                                failReasons.add(request.getReason());
                            }
                            underRepair.remove(imei);
                            ended.put(imei, end);
                        } else if (!end.equals(ended.get(imei))) {
                            throw Status.FAILED_PRECONDITION
                                    .withDescription("device " + imei + " is not under repair " + request.getRepairId())
                                    .asRuntimeException();
                        }
                    }
                    if (inventoryAnswersToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw Status.UNAVAILABLE
                                .withDescription("connection reset")
                                .asRuntimeException();
                    }
                    out.onNext(EndDeviceRepairResponse.newBuilder()
                            .setDevice(device(imei))
                            .build());
                    out.onCompleted();
                } catch (io.grpc.StatusRuntimeException e) {
                    out.onError(e);
                }
            }
        };
        return Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                // checked as inventory checks: the roles, and the peer proof of StartDeviceRepair and
                // EndDeviceRepair (accessories' own token besides the technician's, ADR 0030)
                .addService(ServerInterceptors.intercept(
                        service, recorder("inventory"), new AuthInterceptor(TestTokens.decoder())))
                .build()
                .start();
    }

    private Server training() throws IOException {
        var service = new TrainingServiceGrpc.TrainingServiceImplBase() {
            @Override
            public void checkCertification(
                    CheckCertificationRequest request, StreamObserver<CheckCertificationResponse> out) {
                java.util.concurrent.CountDownLatch[] held = nextCheckHeld.getAndSet(null);
                if (held != null) {
                    held[0].countDown();
                    try {
                        held[1].await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String reason = notCertified.get(request.getTechnician() + "|" + request.getModel());
                out.onNext(CheckCertificationResponse.newBuilder()
                        .setCertified(reason == null)
                        .setReason(reason == null ? "" : reason)
                        .build());
                out.onCompleted();
            }
        };
        return Grpc.newServerBuilderForPort(TRAINING_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(service, recorder("training")))
                .build()
                .start();
    }

    private Server order() throws IOException {
        var service = new OrderServiceGrpc.OrderServiceImplBase() {
            @Override
            public void requestDeviceExchange(
                    RequestDeviceExchangeRequest request, StreamObserver<RequestDeviceExchangeResponse> out) {
                java.util.concurrent.CountDownLatch[] held = nextExchangeHeld.getAndSet(null);
                if (held != null) {
                    held[0].countDown();
                    try {
                        held[1].await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (spares.contains(request.getExchangeRequest().getImei())) { // as order answers
                    out.onError(Status.FAILED_PRECONDITION
                            .withDescription(
                                    "device " + request.getExchangeRequest().getImei()
                                            + " is IN_REPAIR and in no pack: only a device in a pack can be exchanged")
                            .asRuntimeException());
                    return;
                }
                ExchangeRequest stored = exchangesByKey.computeIfAbsent(
                        KEY.get(),
                        k -> request.getExchangeRequest().toBuilder()
                                .setNumber(String.format("EX-2026-%06d", numbers.incrementAndGet()))
                                .setState(ExchangeRequestState.EXCHANGE_REQUEST_STATE_REQUESTED)
                                .build());
                out.onNext(RequestDeviceExchangeResponse.newBuilder()
                        .setExchangeRequest(stored)
                        .build());
                out.onCompleted();
            }

            @Override
            public void listExchangeRequests(
                    ListExchangeRequestsRequest request, StreamObserver<ListExchangeRequestsResponse> out) {
                out.onNext(ListExchangeRequestsResponse.newBuilder()
                        .addAllExchangeRequests(exchangesByKey.values())
                        .build());
                out.onCompleted();
            }

            @Override
            public void createPurchaseOrder(
                    CreatePurchaseOrderRequest request, StreamObserver<CreatePurchaseOrderResponse> out) {
                if (orderFailuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    out.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                    return;
                }
                if (!request.getOrder().getAgreementId().startsWith("AC-2026")) { // as order answers
                    out.onError(Status.NOT_FOUND
                            .withDescription(
                                    "no agreement " + request.getOrder().getAgreementId())
                            .asRuntimeException());
                    return;
                }
                // keys kept as the kit's IdempotencyInterceptor keeps them: per the service that makes the
                // call on its user's behalf when it proves it, else per user
                String scope = CallerContext.peer().map(p -> "peer:" + p).orElse(USER.get());
                PurchaseOrder stored = draftsByKey.computeIfAbsent(
                        scope + "|" + KEY.get(),
                        k -> request.getOrder().toBuilder()
                                .setNumber(String.format("BC-2026-%06d", numbers.incrementAndGet()))
                                .build());
                if (orderAnswersToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    out.onError(
                            Status.UNAVAILABLE.withDescription("answer lost").asRuntimeException());
                    return;
                }
                out.onNext(CreatePurchaseOrderResponse.newBuilder()
                        .setOrder(stored)
                        .build());
                out.onCompleted();
            }
        };
        return Grpc.newServerBuilderForPort(ORDER_PORT, InsecureServerCredentials.create())
                // checked as order checks: roles, and the peer proof accessories sends (ADR 0030)
                .addService(ServerInterceptors.intercept(
                        service, recorder("order"), new AuthInterceptor(TestTokens.decoder())))
                .build()
                .start();
    }
}
