package fr.interieur.neogend.testkit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import fr.interieur.neogend.testkit.planted.grpc.GrpcReadsTables;
import fr.interieur.neogend.testkit.planted.grpc.ShopGrpcAdapter;
import fr.interieur.neogend.testkit.planted.inventoryclient.InventoryStatus;
import fr.interieur.neogend.testkit.planted.persistence.JdbcShelf;
import fr.interieur.neogend.testkit.planted.reports.NewPackageWithHttp;
import fr.interieur.neogend.testkit.planted.shop.LeakySql;
import fr.interieur.neogend.testkit.planted.shop.ReachesAdapter;
import fr.interieur.neogend.testkit.planted.shop.Shelf;
import fr.interieur.neogend.testkit.planted.shop.ShopService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The service-shape rule passes the good shape and fails on each planted violation (it can fail). */
class DomainRulesTest {

    private static final String BASE = "fr.interieur.neogend.testkit.planted";

    private static JavaClasses good(Class<?>... more) {
        Class<?>[] shape = {
            Shelf.class, ShopService.class, JdbcShelf.class, ShopGrpcAdapter.class, InventoryStatus.class
        };
        Class<?>[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(shape), java.util.Arrays.stream(more))
                .toArray(Class<?>[]::new);
        return new ClassFileImporter().importClasses(all);
    }

    @Test
    void theGoodShapePasses() {
        assertThatCode(() -> DomainRules.checkService(good(), BASE)).doesNotThrowAnyException();
    }

    @Test
    void sqlInAnApplicationServiceFails() {
        assertThatThrownBy(() -> DomainRules.checkService(good(LeakySql.class), BASE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("LeakySql")
                .hasMessageContaining("JdbcClient");
    }

    @Test
    void theDomainNamingItsAdapterFails() {
        assertThatThrownBy(() -> DomainRules.checkService(good(ReachesAdapter.class), BASE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ReachesAdapter");
    }

    @Test
    void theGrpcAdapterReachingStorageFails() {
        assertThatThrownBy(() -> DomainRules.checkService(good(GrpcReadsTables.class), BASE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GrpcReadsTables");
    }

    @Test
    void aViolationInAPackageNoTestNamesFails() {
        assertThatThrownBy(() -> DomainRules.checkService(good(NewPackageWithHttp.class), BASE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("NewPackageWithHttp");
    }
}
