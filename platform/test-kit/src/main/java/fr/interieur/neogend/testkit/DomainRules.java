package fr.interieur.neogend.testkit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The dependency rule every service obeys: its domain packages know nothing of gRPC, protobuf,
 * the generated API types, or persistence; adapters ({@code ..grpc..}, {@code ..persistence..})
 * depend on the domain, never the other way round.
 */
public final class DomainRules {

    private DomainRules() {
    }

    /** Checks the rule on {@code classes} for the domain packages given (e.g. "..inventory.device.."). */
    public static void check(JavaClasses classes, String... domainPackages) {
        ArchRule rule = noClasses().that().resideInAnyPackage(domainPackages)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "com.google.protobuf..", "com.google.rpc..", "fr.interieur.neogend.*.v1..",
                        "java.sql..", "javax.sql..", "jakarta.persistence..", "org.springframework.jdbc..",
                        "org.springframework.data..", "org.flywaydb..", "..grpc..", "..persistence..")
                .because("the domain must not depend on transport or storage (STYLE.md)");
        rule.check(classes);
    }
}
