package fr.interieur.neogend.testkit;

import com.google.type.Date;
import fr.interieur.neogend.order.v1.CatalogueItem;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.GetAgreementResponse;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A stand-in for the order service's GetAgreement, the one call inventory and training make to it:
 * the agreements their tests lease packs and bill courses under, with a price schedule. A supplier's
 * token (its supplier_id claim, read without checking: the calling service checked the token already)
 * sees its own agreements only, as with the real service. Started once per test JVM and named to
 * every test context ({@code neogend.order.target}) by a module's test
 * {@code META-INF/spring.factories} listing this initializer.
 */
public final class OrderStandIn implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** In force from 2020-01-01 for 20 years, supplier SUP-TEST: the agreement of the test packs. */
    public static final String AGREEMENT = "AC-TEST";
    /** Its successor, in force from 2027-01-01 for 4 years, same supplier. */
    public static final String SUCCESSOR = "AC-NEXT";
    /** An agreement that ended on 2019-12-31 (supplier SUP-OLD). */
    public static final String ENDED = "AC-OLD";

    private static final Map<String, FrameworkAgreement> AGREEMENTS = Map.of(
            AGREEMENT, agreement(AGREEMENT, "SUP-TEST", 2020, 240),
            SUCCESSOR, agreement(SUCCESSOR, "SUP-TEST", 2027, 48),
            ENDED, agreement(ENDED, "SUP-OLD", 2016, 48));
    private static Server server;

    /** A training-day line of every stand-in agreement, and a pack-lease line. */
    public static final String TRAINING_DAY = "TRAINING-DAY-L1";

    public static final String PACK_LINE = "PACK-SMARTPHONE-INDIVIDUAL";

    private static FrameworkAgreement agreement(String id, String supplier, int year, int months) {
        java.time.LocalDate end = java.time.LocalDate.of(year, 1, 1).plusMonths(months);
        return FrameworkAgreement.newBuilder()
                .setId(id)
                .setSupplierId(supplier)
                .setTermMonths(months)
                .setNotifiedOn(Date.newBuilder().setYear(year).setMonth(1).setDay(1))
                .setTermEnd(Date.newBuilder()
                        .setYear(end.getYear())
                        .setMonth(end.getMonthValue())
                        .setDay(end.getDayOfMonth()))
                .addPriceSchedule(CatalogueItem.newBuilder()
                        .setCode(TRAINING_DAY)
                        .setKind(ItemKind.ITEM_KIND_TRAINING_DAY)
                        .setLabel("Training day")
                        .setUnitPrice("650.00"))
                .addPriceSchedule(CatalogueItem.newBuilder()
                        .setCode(PACK_LINE)
                        .setKind(ItemKind.ITEM_KIND_PACK_LEASE)
                        .setLabel("Smartphone pack")
                        .setPackType(fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                        .setUnitPrice("21.90"))
                .build();
    }

    /** Where the stand-in listens (started on first use). */
    public static synchronized String target() {
        if (server == null) {
            server = start();
        }
        return "localhost:" + server.getPort();
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("order-stand-in", Map.of("neogend.order.target", target())));
    }

    private static final io.grpc.Context.Key<String> SUPPLIER = io.grpc.Context.key("supplier");

    private static Server start() {
        var service = new OrderServiceGrpc.OrderServiceImplBase() {
            @Override
            public void getAgreement(GetAgreementRequest request, StreamObserver<GetAgreementResponse> response) {
                FrameworkAgreement a = AGREEMENTS.get(request.getId());
                String supplier = SUPPLIER.get();
                if (a == null || !supplier.isEmpty() && !supplier.equals(a.getSupplierId())) {
                    response.onError(Status.NOT_FOUND
                            .withDescription("no agreement " + request.getId())
                            .asRuntimeException());
                    return;
                }
                response.onNext(
                        GetAgreementResponse.newBuilder().setAgreement(a).build());
                response.onCompleted();
            }
        };
        ServerInterceptor supplierOfToken = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                    io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                String authorization = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                String supplier = "";
                if (authorization != null && authorization.startsWith("Bearer ")) {
                    String[] parts = authorization.substring(7).split("\\.");
                    if (parts.length > 1) {
                        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                        var m = java.util.regex.Pattern.compile("\"supplier_id\"\\s*:\\s*\"([^\"]*)\"")
                                .matcher(claims);
                        supplier = m.find() ? m.group(1) : "";
                    }
                }
                return Contexts.interceptCall(
                        io.grpc.Context.current().withValue(SUPPLIER, supplier), call, headers, next);
            }
        };
        try {
            return io.grpc.Grpc.newServerBuilderForPort(0, io.grpc.InsecureServerCredentials.create())
                    .addService(ServerInterceptors.intercept(service, supplierOfToken))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
