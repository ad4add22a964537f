package fr.interieur.neogend.accessories;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import fr.interieur.neogend.testkit.DomainRules;
import fr.interieur.neogend.testkit.TableOwners;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    /** Every class outside grpc, persistence and *client is free of transport and storage (issue 19). */
    @Test
    void everyClassOutsideTheAdaptersDependsOnNeitherTransportNorStorage() {
        DomainRules.checkService(
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("fr.interieur.neogend.accessories"),
                "fr.interieur.neogend.accessories");
    }

    /** Each table is written by one persistence adapter (catalogue_item; depot, stock_level, stock_movement, stock_alert; replenishment_proposal; repair, repair_part). */
    @Test
    void everyTableHasOneOwner() {
        Path main = Path.of("src/main/java");
        TableOwners.check(main);
        assertThat(TableOwners.writers(main))
                .containsKeys(
                        "catalogue_item",
                        "depot",
                        "stock_level",
                        "stock_movement",
                        "stock_alert",
                        "replenishment_proposal",
                        "repair",
                        "repair_part");
    }
}
