package fr.interieur.neogend.telemetry;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import fr.interieur.neogend.testkit.DomainRules;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void domainDependsOnNeitherTransportNorStorage() {
        DomainRules.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("fr.interieur.neogend.telemetry"), "fr.interieur.neogend.telemetry.revocation..");
    }
}
