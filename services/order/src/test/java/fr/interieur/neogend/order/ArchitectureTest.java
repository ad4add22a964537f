package fr.interieur.neogend.order;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import fr.interieur.neogend.testkit.DomainRules;
import fr.interieur.neogend.testkit.TableOwners;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTest {

    /** Every class outside grpc, persistence and *client is free of transport and storage (issue 19). */
    @Test
    void everyClassOutsideTheAdaptersDependsOnNeitherTransportNorStorage() {
        DomainRules.checkService(
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("fr.interieur.neogend.order"),
                "fr.interieur.neogend.order");
    }

    /** Each table is written by one persistence adapter (agreements, orders, deliveries, billing, exchange requests, the supplier outbox). */
    @Test
    void everyTableHasOneOwner() {
        Path main = Path.of("src/main/java");
        TableOwners.check(main);
        assertThat(TableOwners.writers(main))
                .containsKeys(
                        "framework_agreement",
                        "purchase_order",
                        "delivery",
                        "invoice",
                        "exchange_request",
                        "supplier_outbox");
    }

    /**
     * Amounts are computed in one place (issue 19: money as a domain value type): no class of order but
     * {@code money.Money} does decimal arithmetic, so a rounding the rules do not name (rule 13) cannot
     * creep into a statement, an order's commitment or a reconciliation. (The VAT rate stays a
     * {@link BigDecimal}: it is read and shown, never computed with but by {@code Money.at}.)
     */
    static final ArchRule AMOUNTS_ARE_COMPUTED_BY_MONEY = noClasses()
            .that()
            .resideOutsideOfPackage("fr.interieur.neogend.order.money")
            .should()
            .callMethodWhere(
                    new com.tngtech.archunit.base.DescribedPredicate<>(
                            "BigDecimal arithmetic (add, subtract, multiply, divide, setScale, round, negate)") {
                        @Override
                        public boolean test(com.tngtech.archunit.core.domain.JavaMethodCall call) {
                            return call.getTargetOwner().isEquivalentTo(BigDecimal.class)
                                    && Set.of("add", "subtract", "multiply", "divide", "setScale", "round", "negate")
                                            .contains(call.getName());
                        }
                    });

    @Test
    void amountsAreComputedOnlyByMoney() {
        AMOUNTS_ARE_COMPUTED_BY_MONEY.check(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("fr.interieur.neogend.order"));
    }

    @Test
    void theMoneyRuleCatchesAPlantedRounding() {
        assertThatThrownBy(() -> AMOUNTS_ARE_COMPUTED_BY_MONEY.check(
                        new ClassFileImporter().importClasses(PlantedRounding.class)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PlantedRounding")
                .hasMessageContaining("setScale");
    }

    /** A statement line rounded outside Money: what the rule is there to refuse. */
    static final class PlantedRounding {
        static BigDecimal lineAmount(BigDecimal price, long days, long inMonth) {
            return price.multiply(BigDecimal.valueOf(days))
                    .divide(BigDecimal.valueOf(inMonth), 10, RoundingMode.DOWN)
                    .setScale(2, RoundingMode.DOWN);
        }
    }
}
