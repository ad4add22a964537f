package fr.interieur.neogend.testkit;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;

import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The one service shape (issue 19): ports and adapters. Every class of a service that is not an
 * adapter — its domain, its application services, their ports — knows nothing of gRPC, protobuf,
 * the generated API types, SQL, HTTP clients or Keycloak; adapters depend on the domain, never the
 * other way round, and inbound adapters (gRPC) never reach storage but through the domain's ports.
 * <p>
 * Adapter packages, directly under the service's base package:
 * <ul>
 *     <li>{@code grpc} — the inbound gRPC adapter (handlers and mapping);</li>
 *     <li>{@code persistence} — the JDBC adapters, one owner per table;</li>
 *     <li>{@code <name>client} — outbound adapters to another service or system (gRPC, HTTP, Keycloak),
 *     e.g. {@code inventoryclient}, {@code keycloakclient}, {@code supplierclient}.</li>
 * </ul>
 * ({@code v1} under the base package is the code generated from the service's proto: the contract, not
 * checked.)
 * The rule is total: it covers every class of the service outside those packages, the configuration
 * and the application class included (a new package is covered without editing the test).
 */
public final class DomainRules {

    private static final String[] TRANSPORT_AND_STORAGE = {
        "io.grpc..",
        "com.google.protobuf..",
        "com.google.rpc..",
        "com.google.type..",
        "fr.interieur.neogend.*.v1..",
        "java.sql..",
        "javax.sql..",
        "jakarta.persistence..",
        "org.springframework.jdbc..",
        "org.springframework.data..",
        "org.flywaydb..",
        "java.net.http..",
        "org.springframework.cloud.openfeign..",
        "org.springframework.grpc..",
        "org.keycloak..",
        "org.apache.kafka.."
    };

    private static final Pattern ADAPTER = Pattern.compile("(grpc|persistence|[a-z]+client|v1)(\\..*)?");

    private DomainRules() {}

    /**
     * Checks the whole service under {@code basePackage} (e.g. "fr.interieur.neogend.training"): every
     * class outside its adapter packages is free of transport and storage, and of the adapters.
     */
    public static void checkService(JavaClasses classes, String basePackage) {
        serviceRule(basePackage).check(classes);
    }

    /** The rule {@link #checkService} checks, for tests that show it failing on a planted violation. */
    public static ArchRule serviceRule(String basePackage) {
        DescribedPredicate<JavaClass> core =
                new DescribedPredicate<>(
                        "are outside the adapter packages of " + basePackage + " (grpc, persistence, *client)") {
                    @Override
                    public boolean test(JavaClass c) {
                        String p = c.getPackageName();
                        if (!(p.equals(basePackage) || p.startsWith(basePackage + "."))) {
                            return false;
                        }
                        return p.equals(basePackage)
                                || !ADAPTER.matcher(p.substring(basePackage.length() + 1))
                                        .matches();
                    }
                };
        DescribedPredicate<JavaClass> adapter =
                new DescribedPredicate<>("belong to an adapter package of " + basePackage) {
                    @Override
                    public boolean test(JavaClass c) {
                        String p = c.getPackageName();
                        return p.startsWith(basePackage + ".")
                                && ADAPTER.matcher(p.substring(basePackage.length() + 1))
                                        .matches();
                    }
                };
        ArchRule coreIsPure = noClasses()
                .that(core)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TRANSPORT_AND_STORAGE)
                .orShould()
                .dependOnClassesThat(adapter)
                .because("a service's domain and application services depend on ports, never on transport, storage "
                        + "or adapters (issue 19, STYLE.md)");
        ArchRule inboundNeverReachesStorage = noClasses()
                .that()
                .resideInAPackage(basePackage + ".grpc..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        basePackage + ".persistence..", "org.springframework.jdbc..", "java.sql..", "javax.sql..")
                .because("the gRPC adapter reaches data through the application services and their ports only");
        return CompositeArchRule.of(coreIsPure).and(inboundNeverReachesStorage);
    }
}
